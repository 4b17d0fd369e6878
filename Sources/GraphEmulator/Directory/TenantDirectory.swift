/// One tenant's users, in the stable order the lists page through (the order they were seeded).
struct TenantDirectory: Sendable {
    private(set) var users: [DirectoryUser] = []
    private var positionByID: [String: Int] = [:]
    private var positionByName: [String: Int] = [:]

    /// Adds a user; their object id and userPrincipalName must be new to the tenant (both case-insensitive).
    mutating func add(_ user: DirectoryUser) -> Bool {
        let id = user.id.lowercased()
        let name = user.userPrincipalName.lowercased()
        guard positionByID[id] == nil, positionByName[name] == nil else { return false }
        positionByID[id] = users.count
        positionByName[name] = users.count
        users.append(user)
        return true
    }

    /// The user a URL names: object id or userPrincipalName, case-insensitive.
    func position(of key: String) -> Int? {
        let key = key.lowercased()
        return positionByID[key] ?? positionByName[key]
    }

    subscript(position: Int) -> DirectoryUser {
        get { users[position] }
        set { users[position] = newValue }
    }

    var admins: [DirectoryUser] { users.filter(\.isAdmin) }
}
