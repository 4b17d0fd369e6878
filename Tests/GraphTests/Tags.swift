import Testing

extension Tag {
    /// Tests that take seconds (many runs of the binary, kill -9): `Scripts/test-fast` leaves them out.
    @Tag static var slow: Self
}
