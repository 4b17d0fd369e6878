// swift-tools-version: 6.1
import PackageDescription

// Every target gets the same policy: explicit existentials and imports that stay internal unless a module's
// public API needs them, so the C modules of later issues never leak to the modules above them.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "secinfo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "secinfo", targets: ["secinfo"]),
        .library(name: "SecurityInfo", targets: ["SecurityInfo"]),
        .library(name: "SecurityInfoFormats", targets: ["SecurityInfoFormats"]),
        .library(name: "SecurityInfoEngine", targets: ["SecurityInfoEngine"]),
        .library(name: "SecurityInfoGraph", targets: ["SecurityInfoGraph"]),
        .executable(name: "graph-emulator", targets: ["graph-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The C libraries the formats are built on, as Debian packages: a module map each, nothing else.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // ISA-L's inflate reads the gzip inputs: a fifth of zlib's CPU on the benchmark's exports.
        .systemLibrary(name: "CIsal", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        // libdeflate writes the gzip outputs: a third faster than zlib at level 6, its output smaller.
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // What Swift's Glibc module lacks: malloc.h for the command line's one mallopt call, and a prefetch hint.
        .systemLibrary(name: "CLibcExtras", providers: [.apt(["libc6-dev"])]),
        // The domain: methods, users, tenant policy and the rules. Pure Swift, no I/O, no Foundation.
        .target(name: "SecurityInfo", swiftSettings: strictSettings),
        // File formats: CSV and XML readers and writers, gzip, the policy file. The only code that touches C.
        .target(
            name: "SecurityInfoFormats",
            dependencies: ["SecurityInfo", "CLibXML2", "CIsal", "CDeflate", "CLibcExtras"],
            swiftSettings: strictSettings),
        // The batch: two passes over the exports, thresholds, outputs and reports.
        .target(
            name: "SecurityInfoEngine",
            dependencies: [
                "SecurityInfo", "SecurityInfoFormats",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Microsoft Graph: the tenants file, client-credentials tokens, `pull` and `push` with their ledger.
        .target(
            name: "SecurityInfoGraph",
            dependencies: [
                "SecurityInfo", "SecurityInfoFormats", "SecurityInfoEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // An emulator of the Graph endpoints secinfo calls, for the tests and the benchmark: loopback only.
        .target(
            name: "GraphEmulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "graph-emulator", dependencies: ["GraphEmulator"], swiftSettings: strictSettings),
        // The command line: parses options, calls the engine, maps errors to exit codes.
        .executableTarget(
            name: "secinfo",
            dependencies: [
                "SecurityInfoEngine", "SecurityInfoGraph", "CLibcExtras",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SecurityInfoTests", dependencies: ["SecurityInfo"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SecurityInfoFormatsTests",
            dependencies: ["SecurityInfoFormats"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SecurityInfoEngineTests",
            dependencies: ["SecurityInfoEngine", "SecurityInfoFormats"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GraphEmulatorTests",
            dependencies: [
                "GraphEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // pull and push against the emulator: the library, and the built `secinfo` binary end to end.
        .testTarget(
            name: "GraphTests",
            dependencies: [
                "secinfo", "SecurityInfoGraph", "GraphEmulator", "SecurityInfoFormats", "SecurityInfo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        // Runs the built `secinfo` binary the way a cron job would; depends on it so it is built first.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["secinfo", "SecurityInfo", "SecurityInfoFormats"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
    ]
)
