import SecurityInfo

/// Encodes users as lines of a Graph export (GRAPH.md §1). Values are written as the user holds them: the rules
/// store added and edited numbers in Graph's form (`+CC NNNN`, `xEXT`), and a converted export keeps its own. A user read from a Graph line and unchanged is its line,
/// byte for byte; a changed one is its line with only what changed rewritten (a method deleted taken out, an edited
/// number or address put in its object, an added method appended as Graph would return it, the default set in
/// `signInPreferences`); a user from a CSV or XML export, or created by a change, is written as Graph would give it.
public struct GraphExportEncoder: ExportEncoder {
    /// The output, for errors.
    let path: String

    public init(path: String) { self.path = path }

    public func encode(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError) {
        if let line = record.graph {
            if line.user == record.user && line.tenant == record.tenant {
                bytes.append(contentsOf: line.bytes[line.span])
            } else {
                try rewrite(line, as: record, into: &bytes)
            }
        } else {
            try write(record, into: &bytes)
        }
        bytes.append(0x0A)
    }

    // MARK: A line rewritten

    private func rewrite(_ line: GraphUserLine, as record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError)
    {
        let user = record.user
        let questions = user.instances(of: .securityQuestions).first
        var written: Set<String> = []
        bytes.append(UInt8(ascii: "{"))
        for member in line.members {
            if !written.isEmpty { bytes.append(UInt8(ascii: ",")) }
            written.insert(member.key)
            bytes.append(contentsOf: line.bytes[member.keyRange])
            bytes.append(UInt8(ascii: ":"))
            switch member.key {
            case "tenant":
                JSONWriter.appendString(record.tenant, to: &bytes)
            case "userPrincipalName":
                JSONWriter.appendString(user.name, to: &bytes)
            case "isAdmin" where user.isAdmin != line.user.isAdmin:
                bytes.append(contentsOf: (user.isAdmin ? "true" : "false").utf8)
            case "securityQuestions" where questions != line.user.instances(of: .securityQuestions).first:
                try appendCount(of: questions, to: &bytes)
            case "signInPreferences" where user.defaultMethod != line.user.defaultMethod:
                appendPreferences(line.preferences, default: user.defaultMethod, line: line, to: &bytes)
            case "methods":
                try appendMethods(of: user, line: line, to: &bytes)
            default:
                bytes.append(contentsOf: line.bytes[member.valueRange])
            }
        }
        // What the line did not have and the user now does.
        if questions != nil && !written.contains("securityQuestions") {
            bytes.append(contentsOf: ",\"securityQuestions\":".utf8)
            try appendCount(of: questions, to: &bytes)
        }
        if user.defaultMethod != line.user.defaultMethod && !written.contains("signInPreferences") {
            bytes.append(contentsOf: ",\"signInPreferences\":".utf8)
            appendPreferences(nil, default: user.defaultMethod, line: line, to: &bytes)
        }
        if !written.contains("methods") && user.methods.contains(where: { $0.kind != .securityQuestions }) {
            bytes.append(contentsOf: ",\"methods\":".utf8)
            try appendMethods(of: user, line: line, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The line's method objects, each as read unless a change touched it, then the methods added.
    private func appendMethods(of user: User, line: GraphUserLine, to bytes: inout [UInt8]) throws(OutputError) {
        // Each of the user's methods is matched once: to the object it was read from, unchanged or edited.
        var matched = [Bool](repeating: false, count: user.methods.count)
        var objects: [[UInt8]] = []
        for method in line.methods {
            guard let instance = method.instance else {
                objects.append(Array(line.bytes[method.range]))
                continue
            }
            let original = line.user.methods[instance]
            if let same = user.methods.indices.first(where: { !matched[$0] && user.methods[$0] == original }) {
                matched[same] = true
                objects.append(Array(line.bytes[method.range]))
            } else if !original.kind.allowsManyInstances, let valueRange = method.valueRange,
                let edited = user.methods.indices.first(where: {
                    !matched[$0] && user.methods[$0].kind == original.kind
                })
            {
                // An edit: the object as read with its number or address replaced.
                matched[edited] = true
                var object = Array(line.bytes[method.range.lowerBound..<valueRange.lowerBound])
                JSONWriter.appendString(user.methods[edited].value, to: &object)
                object.append(contentsOf: line.bytes[valueRange.upperBound..<method.range.upperBound])
                objects.append(object)
            }
        }
        for (index, method) in user.methods.enumerated() where !matched[index] && method.kind != .securityQuestions {
            objects.append(try object(for: method))
        }
        bytes.append(UInt8(ascii: "["))
        for (index, object) in objects.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: object)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `signInPreferences` with the default set: the object as read with its other members, or a new one.
    private func appendPreferences(
        _ members: [GraphUserLine.Member]?, default method: DefaultMethod, line: GraphUserLine,
        to bytes: inout [UInt8]
    ) {
        let key = GraphMethodType.preferredMethodKey
        bytes.append(UInt8(ascii: "{"))
        var first = true
        var wroteDefault = false
        for member in members ?? [] {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(contentsOf: line.bytes[member.keyRange])
            bytes.append(UInt8(ascii: ":"))
            if member.key == key {
                JSONWriter.appendString(method.rawValue, to: &bytes)
                wroteDefault = true
            } else {
                bytes.append(contentsOf: line.bytes[member.valueRange])
            }
        }
        if !wroteDefault {
            if !first { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.appendKey(key, to: &bytes)
            JSONWriter.appendString(method.rawValue, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    // MARK: A user written anew

    private func write(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError) {
        let user = record.user
        bytes.append(UInt8(ascii: "{"))
        JSONWriter.appendKey("tenant", to: &bytes)
        JSONWriter.appendString(record.tenant, to: &bytes)
        bytes.append(contentsOf: ",\"userPrincipalName\":".utf8)
        JSONWriter.appendString(user.name, to: &bytes)
        bytes.append(contentsOf: ",\"isAdmin\":\(user.isAdmin)".utf8)
        if let questions = user.instances(of: .securityQuestions).first {
            bytes.append(contentsOf: ",\"securityQuestions\":".utf8)
            try appendCount(of: questions, to: &bytes)
        }
        bytes.append(contentsOf: ",\"signInPreferences\":{\"\(GraphMethodType.preferredMethodKey)\":".utf8)
        JSONWriter.appendString(user.defaultMethod.rawValue, to: &bytes)
        bytes.append(contentsOf: "},\"methods\":[".utf8)
        var first = true
        for method in user.methods where method.kind != .securityQuestions {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(contentsOf: try object(for: method))
        }
        bytes.append(contentsOf: "]}".utf8)
    }

    /// A method's object as Graph returns it: its type, its id (fixed for phones and email), its value's field.
    private func object(for method: MethodInstance) throws(OutputError) -> [UInt8] {
        var object: [UInt8] = []
        JSONWriter.appendKey("@odata.type", to: &object)
        JSONWriter.appendString(GraphMethodType.prefix + GraphMethodType.types[method.kind]!, to: &object)
        object.append(UInt8(ascii: ","))
        JSONWriter.appendKey("id", to: &object)
        JSONWriter.appendString(GraphMethodType.fixedIDs[method.kind] ?? method.id, to: &object)
        switch method.kind {
        case .mobilePhone, .alternateMobilePhone, .officePhone:
            object.append(contentsOf: ",\"phoneNumber\":".utf8)
            JSONWriter.appendString(method.value, to: &object)
            object.append(contentsOf: ",\"phoneType\":".utf8)
            JSONWriter.appendString(GraphMethodType.phoneTypes[method.kind]!, to: &object)
        case .email:
            object.append(contentsOf: ",\"emailAddress\":".utf8)
            JSONWriter.appendString(method.value, to: &object)
        case .hardwareOath:
            object.append(contentsOf: ",\"device\":{\"serialNumber\":".utf8)
            JSONWriter.appendString(method.value, to: &object)
            object.append(UInt8(ascii: "}"))
        case .softwareOath where method.value.isEmpty:
            break
        default:
            object.append(contentsOf: ",\"displayName\":".utf8)
            JSONWriter.appendString(method.value, to: &object)
        }
        return [UInt8(ascii: "{")] + object + [UInt8(ascii: "}")]
    }

    /// `securityQuestions`: how many the user registered (0 when none are left).
    private func appendCount(of questions: MethodInstance?, to bytes: inout [UInt8]) throws(OutputError) {
        guard let questions else {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        guard let count = Int(questions.value.trimmingWhitespace), count >= 0 else {
            throw OutputError(
                path: path, "securityQuestions '\(questions.value)' is not a count: a Graph export holds a number")
        }
        bytes.append(contentsOf: String(count).utf8)
    }
}
