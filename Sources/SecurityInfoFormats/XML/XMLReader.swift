internal import CLibXML2
import Glibc

/// A pull parser over one XML byte stream: libxml2's `xmlTextReader`, fed through `xmlReaderForIO` from a
/// `ByteSource` (so gzip, truncation and size limits stay in Swift), with the network off, no entity substitution,
/// no DTD loading, and any DOCTYPE refused outright (by `XMLByteScanner`, before the parser sees it, and again here):
/// secinfo's formats have none, and XXE and entity bombs need one.
/// Owns the reader and frees it on release. One reader per thread.
final class XMLReader {
    enum NodeKind: Equatable {
        /// White space between elements, which the formats ignore: its value is never read.
        case element, endElement, text, whitespace, other
    }

    /// What the C callbacks share with Swift: the byte source, and the first error either side met.
    private final class Context {
        let source: any ByteSource
        var scanner: XMLByteScanner
        var sourceError: InputError?
        var parseError: (message: String, line: Int, column: Int)?
        init(source: any ByteSource, origin: XMLChunkOrigin) {
            self.source = source
            // The prefix's characters are counted before the chunk's first.
            scanner = XMLByteScanner(line: origin.line, column: origin.column - origin.prefixLength)
        }
    }

    let path: String
    private let origin: XMLChunkOrigin
    private let reader: xmlTextReaderPtr
    private let context: Unmanaged<Context>

    /// - Parameter origin: where the source's bytes sit in their file, when they are a chunk of it.
    init(source: any ByteSource, origin: XMLChunkOrigin = .wholeDocument) throws(InputError) {
        _ = Self.initializeLibrary
        path = source.path
        self.origin = origin
        context = Unmanaged.passRetained(Context(source: source, origin: origin))
        let options = Self.parserOptions
        guard
            let reader = xmlReaderForIO(
                { context, buffer, length in
                    let box = Unmanaged<Context>.fromOpaque(context!).takeUnretainedValue()
                    do throws(InputError) {
                        // Fill the parser's buffer: a short read (a pipe, an inflater) could split its first look
                        // at the encoding, a BOM say.
                        let buffer = UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))
                        var count = 0
                        while count < buffer.count {
                            let read = try box.source.read(
                                into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                            if read == 0 { break }
                            count += read
                        }
                        try box.scanner.scan(UnsafeRawBufferPointer(rebasing: buffer[..<count]), path: box.source.path)
                        return Int32(count)
                    } catch {
                        box.sourceError = box.sourceError ?? error
                        return -1
                    }
                }, nil, context.toOpaque(), source.path, "UTF-8", options)
        else {
            context.release()
            throw InputError(file: source.path, "cannot start the XML reader")
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(
            reader,
            { context, error in
                guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
                let box = Unmanaged<Context>.fromOpaque(context).takeUnretainedValue()
                guard box.parseError == nil else { return }
                let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
                box.parseError = (
                    message.trimmingTrailingNewlines, Int(error.pointee.line), Int(error.pointee.int2)
                )
            }, context.toOpaque())
    }

    /// The network off, and no messages printed: errors are taken by the handler.
    static let parserOptions = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue
            | XML_PARSE_IGNORE_ENC.rawValue
            | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Whether libxml2 parses `document` (UTF-8) through without an error, with the reader's options. A SAX parse
    /// with no callbacks: nothing is built and nothing comes back to Swift, at about twice the reader's speed.
    static func isWellFormed(_ document: UnsafeBufferPointer<UInt8>) -> Bool {
        _ = initializeLibrary
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        // Errors are only counted (the parser's `wellFormed`), never printed.
        handler.serror = { _, _ in }
        guard let parser = xmlCreatePushParserCtxt(&handler, nil, nil, 0, nil) else { return false }
        defer { xmlFreeParserCtxt(parser) }
        xmlCtxtUseOptions(parser, parserOptions)
        guard let base = document.baseAddress, document.count < Int(Int32.max) else { return false }
        let status = base.withMemoryRebound(to: CChar.self, capacity: document.count) {
            xmlParseChunk(parser, $0, Int32(document.count), 1)
        }
        return status == 0 && parser.pointee.wellFormed == 1
    }

    deinit {
        xmlFreeTextReader(reader)
        context.release()
    }

    /// libxml2 must be initialised once before any thread uses it.
    static let initializeLibrary: Void = { xmlInitParser() }()

    /// Moves to the next node; `false` at the end of the document.
    func read() throws(InputError) -> Bool {
        if let status = skippedTo {
            skippedTo = nil
            return status == 1
        }
        return try moved(status: xmlTextReaderRead(reader))
    }

    /// Moves past the current element and everything in it (`elementsInside` elements), to the node after it,
    /// which `read()` then gives. The parser still parses and checks every byte of it; no node of it comes to
    /// Swift.
    func skipElement(elementsInside: Int) throws(InputError) {
        let status = xmlTextReaderNext(reader)
        // Their start tags were scanned on the way to the parser: dropped, so that the next element gets its own.
        let box = context.takeUnretainedValue()
        for _ in 0..<elementsInside { _ = box.scanner.nextElementStart() }
        skippedTo = status
        _ = try moved(status: status)
    }

    /// After `skipElement`: the status of the node it moved to, not yet given by `read()`.
    private var skippedTo: Int32?

    /// Checks what moving to a node met, and takes the node's kind and place.
    private func moved(status: Int32) throws(InputError) -> Bool {
        let box = context.takeUnretainedValue()
        if var error = box.sourceError {
            if error.line == nil { error.line = line }
            throw error
        }
        if let error = box.parseError {
            if !box.scanner.sawElement
                && (error.message.hasPrefix("Extra content") || error.message.hasPrefix("Document is empty"))
            {
                throw InputError(file: path, line: 1, column: 1, "the document is empty: it holds no element")
            }
            throw InputError(
                file: path, line: origin.fileLine(error.line),
                column: error.column > 0 ? origin.fileColumn(error.column, onLine: error.line) : nil,
                origin.fileMessage(error.message))
        }
        if status < 0 { throw InputError(file: path, line: line, "malformed XML") }
        // The node's type, asked once: the readers ask for `kind` several times a node.
        nodeType = status == 1 ? xmlTextReaderNodeType(reader) : -1
        if nodeType == Int32(XML_READER_TYPE_ELEMENT.rawValue) {
            elementStart = box.scanner.nextElementStart()
        }
        if nodeType == Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue) {
            throw InputError(
                file: path, line: line,
                "a DOCTYPE is not allowed: secinfo's XML formats have none (no DTDs, no entities)")
        }
        return status == 1
    }

    private var nodeType: Int32 = -1

    var kind: NodeKind {
        switch Int(nodeType) {
        case Int(XML_READER_TYPE_ELEMENT.rawValue): .element
        case Int(XML_READER_TYPE_END_ELEMENT.rawValue): .endElement
        case Int(XML_READER_TYPE_TEXT.rawValue), Int(XML_READER_TYPE_CDATA.rawValue): .text
        case Int(XML_READER_TYPE_WHITESPACE.rawValue), Int(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue): .whitespace
        case Int(XML_READER_TYPE_ENTITY_REFERENCE.rawValue), Int(XML_READER_TYPE_ENTITY.rawValue):
            .other
        default: .other
        }
    }

    /// Whether the node is an entity reference the parser left unexpanded (only predefined entities are allowed).
    var isEntityReference: Bool { nodeType == Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue) }

    /// Checks a node that stands between elements (not inside a value): white space, comments and processing
    /// instructions are fine; text or an entity reference is not part of the formats.
    func checkBetweenElements() throws(InputError) {
        switch kind {
        case .text where !value.allSatisfy(\.isWhitespace):
            throw error("unexpected text here")
        case .other where isEntityReference:
            throw error("an entity reference is not allowed")
        default:
            return
        }
    }

    var name: String { xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "" }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    var value: String { xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? "" }

    private var elementStart: (line: Int, column: Int, offset: Int)?

    /// Where the current element's `<` is in the document's bytes.
    var elementOffset: Int? { kind == .element ? elementStart?.offset : nil }

    /// An error at the current node: its line, and its column where it has one.
    func error(_ message: String) -> InputError { InputError(file: path, line: line, column: column, message) }

    /// The column of an element's `<`; `nil` for other nodes (libxml2 keeps no column for a node).
    var column: Int? { kind == .element ? elementStart?.column : nil }

    /// The line of the current node: for an element, the line its start tag begins on (from the byte scanner);
    /// for text, the line of its first character that is not white space; otherwise the line the parser reached.
    var line: Int {
        if kind == .element, let elementStart { return elementStart.line }
        if kind == .text, let node = xmlTextReaderCurrentNode(reader) {
            // libxml2 stamps a text node with the line where it ends.
            let end = Int(xmlGetLineNo(node))
            // (libxml2 counts only LF as a line break, but gives a lone CR in text as LF: at least line 1.)
            if end > 0 {
                return origin.fileLine(max(1, end - value.drop(while: \.isWhitespace).count(where: \.isNewline)))
            }
        }
        return origin.fileLine(Int(xmlTextReaderGetParserLineNumber(reader)))
    }

    /// Whether the current node's local name is `name`, told without making text of it.
    func isNamed(_ name: String) -> Bool {
        guard let local = xmlTextReaderConstLocalName(reader) else { return false }
        return name.withCString { strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), $0) == 0 }
    }

    /// The number of attributes of the current element.
    var attributeCount: Int { Int(xmlTextReaderAttributeCount(reader)) }

    /// The value of the current element's attribute of that name, if it has one.
    func attribute(named name: String) -> String? {
        defer { xmlTextReaderMoveToElement(reader) }
        guard xmlTextReaderMoveToAttribute(reader, name) == 1 else { return nil }
        return value
    }

    /// The attributes of the current element, in document order.
    func attributes() -> [(name: String, value: String)] {
        var attributes: [(String, String)] = []
        guard xmlTextReaderMoveToFirstAttribute(reader) == 1 else { return [] }
        repeat {
            attributes.append((name, value))
        } while xmlTextReaderMoveToNextAttribute(reader) == 1
        xmlTextReaderMoveToElement(reader)
        return attributes
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
