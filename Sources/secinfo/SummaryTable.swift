import SecurityInfoEngine

/// The short readable summary on stdout: a row per tenant of applied / unchanged / rejected / held.
struct SummaryTable {
    let result: BatchResult

    var text: String {
        let header = ["tenant", "applied", "unchanged", "rejected", "held", "deletes", "findings", "balanced"]
        var rows = result.tenants.map(row)
        rows.append(row(result.total))
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0
                    ? cell.padding(to: widths[index]) : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        var text = "secinfo \(result.command.rawValue): \(result.tenants.count) tenants, "
        text += "\(result.total.changes.read) changes\n\n"
        text +=
            line(header) + "\n"
            + (rows.dropLast().map(line) + [
                String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)), line(rows.last!),
            ]).joined(separator: "\n")
        text += "\n\n"
        for tenant in result.tenants where tenant.isHeld {
            text +=
                "held: \(tenant.tenant): \(tenant.deletes) deletes exceed the limit of \(tenant.deleteLimit ?? 0); nothing of it was \(result.command == .apply ? "applied" : "planned")\n"
        }
        if let folder = result.reportDirectory { text += "report: \(folder)\n" }
        for output in result.outputs { text += "wrote: \(output)\n" }
        text += "exit \(result.status.rawValue): \(meaning)\n"
        return text
    }

    private var meaning: String {
        switch result.status {
        case .success: result.command == .validate ? "exports read and audited" : "every change applied or unchanged"
        case .rejections: "some changes rejected, the rest \(result.command == .plan ? "would apply" : "applied")"
        case .held: "at least one tenant held by its delete threshold"
        default: "failed"
        }
    }

    private func row(_ totals: TenantTotals) -> [String] {
        return [
            totals.tenant + (totals.isInScope || totals.tenant == "total" ? "" : " (not in scope)"),
            "\(totals.changes.applied)", "\(totals.changes.unchanged)", "\(totals.changes.rejected)",
            "\(totals.changes.held)", totals.deleteLimit.map { "\(totals.deletes)/\($0)" } ?? "\(totals.deletes)",
            "\(totals.findings.values.reduce(0, +))", totals.isBalanced ? "yes" : "NO",
        ]
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
