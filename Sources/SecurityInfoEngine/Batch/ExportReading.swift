import SecurityInfo
import SecurityInfoFormats

/// One reading of every export, the same loop whichever reading it is: each export cut into chunks of whole users
/// on this thread, the chunks processed on the Dispatch workers (`ChunkProcessor`), the results counted and written
/// in file order on the collector (`OrderedPipeline`). Memory stays bounded whatever the size of the exports.
struct ExportReading {
    /// What every export gave: the counts and decisions of `ExportCounts`, the users left to confirm as repeated,
    /// the exports' digests, and what was written.
    struct Result {
        var totals: [String: TenantTotals]
        var lastUsers: [String: UserPlace]
        var results: ChangeResults
        var objectIDs: [Int: String]
        var unconfirmedRepeats: [Set<String>]
        var exports: [SummaryReport.Input]
        var written: WrittenExports
    }

    let inputs: BatchInputs
    let configuration: BatchConfiguration
    let progress: ProgressCounter
    /// `apply`'s output paths, one per export; `nil`: nothing is kept but what is counted.
    let outputPaths: [String]?
    let reportFolder: String?

    /// Reads every export once as `plan` says. On failure nothing it wrote is left.
    func read(_ plan: ReadingPlan) throws(BatchError) -> Result {
        var written = WrittenExports()
        do {
            if let reportFolder {
                written.findings = try BatchError.writing { () throws(OutputError) in
                    try FindingsReport(folder: reportFolder)
                }
            }
            return try read(plan, into: &written)
        } catch {
            written.discard()
            throw error
        }
    }

    private func read(_ plan: ReadingPlan, into written: inout WrittenExports) throws(BatchError) -> Result {
        let evaluator = ChangeEvaluator(inputs: inputs, configuration: configuration)
        let configuration = configuration
        let includes: @Sendable (String) -> Bool = { configuration.includes(tenant: $0) }
        let counts = CollectorConfined(
            ExportCounts(
                exportFiles: inputs.exportFiles, changeCount: inputs.changeFile?.rows.count ?? 0,
                expected: plan.expectedResults, includes: includes))
        var unconfirmedRepeats: [Set<String>] = []
        var exports: [SummaryReport.Input] = []
        for (fileIndex, path) in inputs.exportFiles.enumerated() {
            progress.start(phase: plan.isFirst ? "pass 1/1" : "pass 2/2", of: plan.isFirst ? 1 : 2)
            let digest = InputDigest()
            let progress = progress
            let (file, description, chunks) = try BatchError.reading { () throws(InputError) in
                let file = try InputFile(path: path) { bytes in
                    digest.update(bytes)
                    progress.read(bytes)
                }
                // Described before the chunk reader reads the header: from the file's first bytes.
                let description = try FormatRegistry.describe(file)
                let chunks = try FormatRegistry.exportChunks(
                    file, maximumBytes: configuration.maximumInputBytes, confirming: plan.confirming?[fileIndex])
                return (file, description, chunks)
            }
            var reader = chunks
            let writer = try BatchError.writing { () throws(OutputError) in
                try makeWriter(file: fileIndex, like: description, outputs: &written.outputs)
            }
            let processor = ChunkProcessor(
                file: fileIndex, path: path, plan: plan, evaluator: evaluator, encoder: writer.encoder,
                policies: inputs.policies, includes: includes, summarizes: !configuration.decodesEveryUser)
            let runCheck = reader.runCheck
            let output = CollectorConfined(ExportOutput(writer: writer, findings: written.findings))
            let pipeline = OrderedPipeline<ExportChunk, ChunkProcessor.Outcome, BatchError>(
                workers: configuration.workers, limit: 2 * configuration.workers + 2,
                transform: { chunk throws(BatchError) in
                    try BatchError.writing { () throws(OutputError) in try processor.process(chunk) }
                },
                consume: { outcome throws(BatchError) in
                    // Counting raises the chunk's error, if any, after its users before it: nothing after it is
                    // written.
                    try BatchError.reading { () throws(InputError) in
                        try counts.value.count(outcome, file: fileIndex, path: path, runCheck: runCheck)
                    }
                    progress.count(outcome.users.users)
                    try BatchError.writing { () throws(OutputError) in try output.value.take(outcome.batch) }
                })
            try Self.run(pipeline, reading: &reader)
            counts.value.endFile()
            // Raised once the whole file is read: a repeated user, which explains it, is reported first.
            if let changed = counts.value.decidedOtherwise { throw .input(changed) }
            try BatchError.reading { () throws(InputError) in try file.readToEnd() }
            let input = SummaryReport.Input(path: path, role: "export", digest: digest)
            if let expected = plan.expectedDigests, expected[fileIndex] != input.sha256 {
                throw .input(InputError(file: path, "the file changed while secinfo was reading it: run again"))
            }
            exports.append(input)
            unconfirmedRepeats.append(reader.unconfirmedRepeats)
            try BatchError.writing { () throws(OutputError) in
                try output.value.finish(into: &written)
                try written.outputs.last?.finish()
            }
        }
        return Result(
            totals: counts.value.totals, lastUsers: counts.value.lastUsers, results: counts.value.results,
            objectIDs: counts.value.objectIDs,
            unconfirmedRepeats: unconfirmedRepeats, exports: exports, written: written)
    }

    /// The writer of an export: to a temporary file beside its output path for `apply` (same name, same format,
    /// compressed exactly when the input, as read, was), appended to `outputs`; to nowhere for the others.
    private func makeWriter(file: Int, like input: FileDescription, outputs: inout [AtomicFileSink])
        throws(OutputError) -> any ExportWriter
    {
        if let outputPaths {
            let atomic = try AtomicFileSink(path: outputPaths[file])
            outputs.append(atomic)
            return try FormatRegistry.exportWriter(input, path: outputPaths[file], sink: atomic)
        }
        // A dry run encodes every user to count it, but has nothing to compress.
        var description = input
        description.isCompressed = false
        return try FormatRegistry.exportWriter(
            description, path: inputs.exportFiles[file], sink: DiscardingByteSink())
    }

    /// Hands every chunk of an export to a pipeline and waits for it. A pipeline failure is raised before a
    /// reading error: the chunks handed in before the reading failed come first in the file.
    private static func run<Output>(
        _ pipeline: OrderedPipeline<ExportChunk, Output, BatchError>, reading chunks: inout any ExportChunkReader
    ) throws(BatchError) {
        do {
            while let chunk = try BatchError.reading({ () throws(InputError) in try chunks.next() }) {
                try pipeline.submit(chunk)
            }
            try pipeline.finish()
        } catch {
            try pipeline.finish()
            throw error
        }
    }
}
