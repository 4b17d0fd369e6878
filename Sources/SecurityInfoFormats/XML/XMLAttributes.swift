import SecurityInfo

/// The attributes of an element, checked against what the format allows. An element has a handful, so they are
/// kept in a small array and found by name without hashing.
struct XMLAttributes {
    private let values: [(name: String, value: String)]

    subscript(name: String) -> String? { values.first { $0.name == name }?.value }

    static func checked(of xml: XMLReader, allowed: [String], required: [String]) throws(InputError) -> XMLAttributes {
        // The allowed ones, looked up by name: when they are all the element has, no other name need be read.
        var values: [(name: String, value: String)] = []
        for name in allowed {
            if let value = xml.attribute(named: name) { values.append((name, value)) }
        }
        if values.count != xml.attributeCount { values = xml.attributes() }
        for (name, _) in values where !allowed.contains(name) {
            throw xml.error(
                "unknown attribute '\(name)' on <\(xml.name)> (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        for name in required where !values.contains(where: { $0.name == name }) {
            throw xml.error("<\(xml.name)> needs a '\(name)' attribute")
        }
        return XMLAttributes(values: values)
    }
}
