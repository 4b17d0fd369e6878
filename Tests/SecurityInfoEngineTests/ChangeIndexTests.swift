import SecurityInfo
import SecurityInfoFormats
import Testing

@testable import SecurityInfoEngine

@Suite("Change index")
struct ChangeIndexTests {
    static func changeFile(_ rows: [(tenant: String, user: String)]) -> ChangeFile {
        ChangeFile(
            path: "changes.csv",
            rows: rows.enumerated().map { index, row in
                let request = ChangeRequest(line: index + 2, tenant: row.tenant, user: row.user, operation: "delete")
                return ChangeRow(request: request, fields: [])
            })
    }

    @Test("a user's rows come back in file order, users compared without regard to case, tenants apart")
    func findsRowsInOrder() {
        let file = Self.changeFile([
            ("t1", "Ann@x.example"), ("t1", "bob@x.example"), ("t2", "ann@x.example"), ("t1", "ANN@x.example"),
            ("", "ann@x.example"), ("t1", "  "), ("t1", "ann@x.example"),
        ])
        let index = ChangeIndex(file)
        #expect(index.changes(tenant: "t1", userKey: "ann@x.example", in: file) == [0, 3, 6])
        #expect(index.changes(tenant: "t2", userKey: "ann@x.example", in: file) == [2])
        #expect(index.changes(tenant: "t1", userKey: "bob@x.example", in: file) == [1])
        #expect(index.changes(tenant: "t1", userKey: "carol@x.example", in: file).isEmpty)
        #expect(index.changes(tenant: "t3", userKey: "ann@x.example", in: file).isEmpty)
        // A row naming no tenant or no user stands alone.
        #expect(index.changes(sameUserAs: 4, in: file) == [4])
        #expect(index.changes(sameUserAs: 5, in: file) == [5])
        #expect(index.changes(sameUserAs: 3, in: file) == [0, 3, 6])
    }

    @Test("a user whose hash is another's (as a collision would make it) is not given the other's rows")
    func hashHitsAreConfirmed() {
        let file = Self.changeFile([("t1", "ann@x.example"), ("t1", "bob@x.example")])
        let index = ChangeIndex(file)
        func rows(_ tenant: String, _ key: String, hashOf other: (String, String)) -> [Int] {
            var (key, otherKey) = (key, other.1)
            let hash = otherKey.withUTF8 { UserKeyHash.of(tenant: other.0, userKey: $0) }
            return key.withUTF8 { index.changes(tenant: tenant, userKey: $0, hash: hash, in: file) }
        }
        #expect(rows("t1", "bob@x.example", hashOf: ("t1", "bob@x.example")) == [1])
        #expect(rows("t1", "carol@x.example", hashOf: ("t1", "ann@x.example")).isEmpty)
        #expect(rows("t2", "ann@x.example", hashOf: ("t1", "ann@x.example")).isEmpty)
    }

    @Test(
        "every user of a large file is found with exactly its rows, and no other user is", arguments: [0, 1, 2, 5000])
    func largeFile(users: Int) {
        // Each user has 1–3 rows, spread through the file.
        var rows: [(tenant: String, user: String)] = []
        for round in 0..<3 {
            for user in 0..<users where user % 3 >= round {
                rows.append(("t\(user % 7)", "user\(user)@x.example"))
            }
        }
        let file = Self.changeFile(rows)
        let index = ChangeIndex(file)
        var expected: [String: [Int]] = [:]
        for (position, row) in rows.enumerated() { expected["\(row.tenant) \(row.user)", default: []].append(position) }
        for user in 0..<users {
            let tenant = "t\(user % 7)"
            let found = index.changes(tenant: tenant, userKey: "user\(user)@x.example", in: file)
            #expect(found == expected["\(tenant) user\(user)@x.example"], "user \(user)")
            #expect(index.changes(tenant: "t\((user + 1) % 7)", userKey: "user\(user)@x.example", in: file).isEmpty)
        }
        #expect(index.changes(tenant: "t0", userKey: "nobody@x.example", in: file).isEmpty)
    }
}
