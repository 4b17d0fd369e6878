import Testing

extension Tag {
    /// Tests that take seconds (large generated exports, many runs of the binary, kill -9): `Scripts/test-fast`
    /// leaves them out for a quick check while developing; CI and `Scripts/test` run everything.
    @Tag static var slow: Self
}
