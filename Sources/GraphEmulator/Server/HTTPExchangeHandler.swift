import NIOCore
import NIOHTTP1

/// Aggregates each request on a connection, hands it to the emulator and writes its answer with a
/// `Content-Length`, keeping the connection open when the client asked for keep-alive. NIO's pipelining handler
/// in front of it holds a connection's next request until this one's answer is written.
final class HTTPExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A body larger than any batch secinfo sends is refused rather than held.
    static let maximumBodyBytes = 8 << 20

    private let respond: @Sendable (HTTPRequestMessage) -> ExchangeOutcome
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var isBodyTooLarge = false

    init(respond: @escaping @Sendable (HTTPRequestMessage) -> ExchangeOutcome) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            isBodyTooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > Self.maximumBodyBytes {
                isBodyTooLarge = true
            } else if !isBodyTooLarge {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let outcome: ExchangeOutcome =
                isBodyTooLarge
                ? .respond(HTTPResponseMessage(status: 413), afterSeconds: 0)
                : respond(HTTPRequestMessage(method: head.method, uri: head.uri, headers: head.headers, body: body))
            body = []
            switch outcome {
            case .dropConnection:
                context.close(promise: nil)
            case .respond(let response, let delay) where delay > 0:
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {
                    self.write(response, keepAlive: head.isKeepAlive, context: context)
                }
            case .respond(let response, _):
                write(response, keepAlive: head.isKeepAlive, context: context)
            }
        }
    }

    private func write(_ response: HTTPResponseMessage, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let written: EventLoopPromise<Void>? = keepAlive ? nil : context.eventLoop.makePromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written?.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
