import SecurityInfoFormats

/// A pulled user's export line (GRAPH.md §1) from Graph's answers: the methods and the sign-in preferences
/// exactly as Graph sent them (a hardware token with its `device`, from the token list), with the response's own
/// `@odata.context` left out.
struct UserLineComposer {
    let tenant: String
    let user: TenantReader.ListedUser
    let isAdmin: Bool

    typealias Answer = (batch: BatchAnswers, answer: BatchAnswer)

    func line(methods: Answer, preferences: Answer, tokens: Answer?) -> [UInt8] {
        var line = Array(#"{"tenant":"#.utf8)
        JSONWriter.appendString(tenant, to: &line)
        line += Array(#","id":"#.utf8)
        JSONWriter.appendString(user.id, to: &line)
        line += Array(#","userPrincipalName":"#.utf8)
        JSONWriter.appendString(user.userPrincipalName, to: &line)
        line += Array((isAdmin ? #","isAdmin":true"# : #","isAdmin":false"#).utf8)
        if let body = preferences.answer.body, case .object(let members) = body.kind {
            line += Array(#","signInPreferences":{"#.utf8)
            var first = true
            for member in members where !member.key.hasPrefix("@odata.context") {
                if !first { line.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.appendKey(member.key, to: &line)
                line += preferences.batch.bytes(of: member.value)
            }
            line.append(UInt8(ascii: "}"))
        }
        line += Array(#","methods":["#.utf8)
        var tokensByID: [String: ArraySlice<UInt8>] = [:]
        if let tokens, case .array(let items)? = tokens.answer.body?["value"]?.kind {
            for item in items {
                if let id = item["id"].flatMap(tokens.batch.document.string) {
                    tokensByID[id] = tokens.batch.bytes(of: item)
                }
            }
        }
        if case .array(let items)? = methods.answer.body?["value"]?.kind {
            for (index, item) in items.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                let document = methods.batch.document
                if item["@odata.type"].flatMap(document.string) == GraphMethodType.hardwareOathODataType,
                    let id = item["id"].flatMap(document.string), let token = tokensByID[id]
                {
                    line += token
                } else {
                    line += methods.batch.bytes(of: item)
                }
            }
        }
        line += Array("]}\n".utf8)
        return line
    }
}
