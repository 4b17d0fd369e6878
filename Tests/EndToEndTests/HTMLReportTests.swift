import Foundation
import Testing

/// `report.html`: one self-contained page a person reads before approving a bulk change.
@Suite("report.html")
struct HTMLReportTests {
    let exports = Fixtures.path(Fixtures.samples, "exports")
    let changes = Fixtures.path(Fixtures.samples, "changes.csv")
    let policy = Fixtures.path(Fixtures.samples, "policy.json")

    @Test("plan: every tenant, the held one flagged, rejections by rule with examples, findings, all masked")
    func planPage() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--policy", policy, "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 3)
        let html = try String(contentsOfFile: workspace.path("report/report.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        for tenant in ["contoso", "fabrikam", "tailspin", "woodgrove", "northwind"] {
            #expect(html.contains("<h2>\(tenant)"), "\(tenant) has no section")
        }
        #expect(html.contains("Held by R-THRESHOLD-DELETES: 4 deletes exceed the limit of 2"))
        #expect(html.contains("What would change"))
        for rule in ["R-EMAIL-NOT-WORK", "R-PHONE-FORMAT", "R-DEFAULT-DELETE", "R-AUTHAPP-MAX-5"] {
            #expect(html.contains("<code>\(rule)</code>"), "\(rule) missing")
        }
        #expect(html.contains("judy@fabrikam.com, mallory@fabrikam.com"), "finding examples missing")
        #expect(html.contains("<svg"))
        // Self-contained: nothing loaded from elsewhere.
        for outside in ["http://", "https://", "<script", "<link", "src=", "url(", "@import"] {
            #expect(!html.contains(outside), "\(outside) in the page")
        }
        // Masked: the sample's numbers and addresses appear only masked.
        #expect(html.contains("+1 XXXXXXXX99"))
        for value in ["+1 4255550199", "4255550100", "bob.personal@outlook.com", "alice@outlook.com"] {
            #expect(!html.contains(value), "\(value) unmasked in the page")
        }
    }

    @Test("apply says what changed; validate gives the same page for the exports' findings")
    func applyAndValidatePages() throws {
        let workspace = try Workspace()
        let apply = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
            "--report", workspace.path("applied"),
        ])
        #expect(apply.exitCode == 3)
        let applied = try String(contentsOfFile: workspace.path("applied/report.html"), encoding: .utf8)
        #expect(applied.contains("What changed") && !applied.contains("What would change"))

        let validate = try SecInfo.run([
            "validate", "--export", exports, "--policy", policy, "--report", workspace.path("audit"),
        ])
        #expect(validate.exitCode == 0)
        let audit = try String(contentsOfFile: workspace.path("audit/report.html"), encoding: .utf8)
        #expect(audit.contains("Exports read and audited."))
        #expect(audit.contains("<code>F-SQ-ADMIN</code>") && audit.contains("erin@contoso.com"))
        #expect(!audit.contains("What would change") && !audit.contains("Rejections by rule"))
    }
}
