import SecurityInfoFormats

/// One request of a JSON batch (Graph's `$batch`), as sent.
struct BatchRequest: Sendable {
    var id: String
    var method: String
    /// Relative to the batch's version: `/users/…`.
    var url: String
    /// The request's JSON body, its bytes as they go out.
    var body: [UInt8]?
    var dependsOn: [String] = []

    /// The batch's JSON: `{"requests":[…]}`, a body with its `Content-Type`.
    static func encode(_ requests: [BatchRequest]) -> [UInt8] {
        var bytes = Array(#"{"requests":["#.utf8)
        for (index, request) in requests.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "{"))
            JSONWriter.appendKey("id", to: &bytes)
            JSONWriter.appendString(request.id, to: &bytes)
            bytes += Array(#","method":"#.utf8)
            JSONWriter.appendString(request.method, to: &bytes)
            bytes += Array(#","url":"#.utf8)
            JSONWriter.appendString(request.url, to: &bytes)
            if let body = request.body {
                bytes += Array(#","headers":{"Content-Type":"application/json"},"body":"#.utf8)
                bytes += body
            }
            if !request.dependsOn.isEmpty {
                bytes += Array(#","dependsOn":["#.utf8)
                for (position, dependency) in request.dependsOn.enumerated() {
                    if position > 0 { bytes.append(UInt8(ascii: ",")) }
                    JSONWriter.appendString(dependency, to: &bytes)
                }
                bytes.append(UInt8(ascii: "]"))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes += Array("]}".utf8)
        return bytes
    }
}

/// One response of a batch's answer: its status, its `Retry-After`, and its body within the answer's bytes.
struct BatchAnswer: Sendable {
    var status: Int
    var retryAfter: String?
    var body: JSONValue?
    /// The error's `code` and `message` of a failed request (Graph's `{"error": {…}}`).
    var errorCode: String = ""
    var errorMessage: String = ""

    var succeeded: Bool { (200..<300).contains(status) }
}

/// A batch's answer, read: each response by its request's id.
struct BatchAnswers: Sendable {
    let document: JSONDocument
    let byID: [String: BatchAnswer]

    init(_ bytes: [UInt8]) throws(InputError) {
        let document = try JSONReader.read(bytes, path: "the $batch answer")
        guard let responses = document.root["responses"], case .array(let items) = responses.kind else {
            throw document.error(at: document.root.range.lowerBound, "the answer holds no \"responses\" array")
        }
        var byID: [String: BatchAnswer] = [:]
        for item in items {
            guard let id = item["id"].flatMap(document.string), let statusValue = item["status"],
                let status = Int(document.text(statusValue))
            else { throw document.error(at: item.range.lowerBound, "a response without its id or status") }
            var retryAfter: String?
            if let headers = item["headers"], case .object(let members) = headers.kind {
                retryAfter = members.first { $0.key.lowercased() == "retry-after" }.flatMap {
                    document.string($0.value) ?? document.text($0.value)
                }
            }
            var answer = BatchAnswer(status: status, retryAfter: retryAfter, body: item["body"])
            if let error = item["body"]?["error"] {
                answer.errorCode = error["code"].flatMap(document.string) ?? ""
                answer.errorMessage = error["message"].flatMap(document.string) ?? ""
            }
            byID[id] = answer
        }
        self.document = document
        self.byID = byID
    }

    /// A value's bytes as Graph sent them.
    func bytes(of value: JSONValue) -> ArraySlice<UInt8> { document.bytes[value.range] }
}
