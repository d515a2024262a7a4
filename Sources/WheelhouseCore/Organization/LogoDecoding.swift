import CGD

/// One decoded libgd image, destroyed with its owner.
final class GDImage {
    private let image: gdImagePtr

    fileprivate init(_ image: gdImagePtr) { self.image = image }
    deinit { gdImageDestroy(image) }

    var width: Int { Int(image.pointee.sx) }
    var height: Int { Int(image.pointee.sy) }

    /// libgd's messages about broken files would go to standard error; the caller reports them.
    private static let quiet: Void = {
        gdSetErrorMethod { _, _, _ in }
    }()

    static func decode(_ kind: LogoImage.Kind, _ bytes: [UInt8]) -> GDImage? {
        _ = quiet
        var copy = bytes
        let decoded: gdImagePtr? = copy.withUnsafeMutableBytes { buffer in
            let size = Int32(buffer.count)
            switch kind {
            case .png: return gdImageCreateFromPngPtr(size, buffer.baseAddress)
            case .jpeg: return gdImageCreateFromJpegPtr(size, buffer.baseAddress)
            case .gif: return gdImageCreateFromGifPtr(size, buffer.baseAddress)
            }
        }
        return decoded.map(GDImage.init)
    }

    /// The image in `kind`'s format, written by libgd: pixels only (transparency kept).
    func encode(_ kind: LogoImage.Kind) -> [UInt8]? {
        var size: Int32 = 0
        let data: UnsafeMutableRawPointer?
        switch kind {
        case .png:
            gdImageSaveAlpha(image, 1)
            data = gdImagePngPtr(image, &size)
        case .jpeg: data = gdImageJpegPtr(image, &size, 90)
        case .gif: data = gdImageGifPtr(image, &size)
        }
        guard let data, size > 0 else { return nil }
        defer { gdFree(data) }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(size)))
    }
}

/// An image's width and height as its header states them, read without decoding.
enum ImageHeader {
    static func size(_ kind: LogoImage.Kind, _ b: [UInt8]) -> (Int, Int)? {
        switch kind {
        case .png: return png(b)
        case .jpeg: return jpeg(b)
        case .gif: return gif(b)
        }
    }

    static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }

    /// The IHDR chunk comes first: width and height as 32-bit big-endian numbers.
    static func png(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        let width = b[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = b[20..<24].reduce(0) { $0 << 8 | Int($1) }
        return width > 0 && height > 0 ? (width, height) : nil
    }

    /// The first start-of-frame marker's height and width, skipping the segments before it.
    static func jpeg(_ b: [UInt8]) -> (Int, Int)? {
        var i = 2
        while i + 3 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            let length = be16(b, i + 2)
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard i + 8 < b.count else { return nil }
                let height = be16(b, i + 5), width = be16(b, i + 7)
                return width > 0 && height > 0 ? (width, height) : nil
            }
            i += 2 + length
        }
        return nil
    }

    /// The larger of the logical screen and the first image descriptor (what libgd decodes).
    static func gif(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 13 else { return nil }
        var width = le16(b, 6), height = le16(b, 8)
        var i = 13
        if b[10] & 0x80 != 0 { i += 3 << (Int(b[10] & 0x07) + 1) }
        while i < b.count {
            switch b[i] {
            case 0x2C:
                guard i + 9 < b.count else { return nil }
                width = max(width, le16(b, i + 5))
                height = max(height, le16(b, i + 7))
                return width > 0 && height > 0 ? (width, height) : nil
            case 0x21:
                i += 2
                while i < b.count, b[i] != 0 { i += Int(b[i]) + 1 }
                i += 1
            default:
                return nil
            }
        }
        return nil
    }
}

extension GDImage {
    /// A square of `side` pixels in `background` with a disc of `foreground` in its middle: the
    /// demo's pictures, drawn by libgd rather than shipped as files.
    static func disc(side: Int32, background: (Int32, Int32, Int32), foreground: (Int32, Int32, Int32)) -> GDImage? {
        guard let image = gdImageCreateTrueColor(side, side) else { return nil }
        gdImageFilledRectangle(image, 0, 0, side - 1, side - 1, gdImageColorAllocate(image, background.0, background.1, background.2))
        gdImageFilledEllipse(
            image, side / 2, side / 2, side * 2 / 3, side * 2 / 3, gdImageColorAllocate(image, foreground.0, foreground.1, foreground.2))
        return GDImage(image)
    }
}

extension LogoImage {
    /// A 96 × 96 PNG drawn by libgd (see `GDImage.disc`), passed through the same checks as an upload.
    public static func demoPicture(background: (Int32, Int32, Int32), foreground: (Int32, Int32, Int32)) -> LogoImage? {
        guard let bytes = GDImage.disc(side: 96, background: background, foreground: foreground)?.encode(.png) else { return nil }
        var errors = FieldErrors()
        return validated(bytes, field: "avatar", what: "picture", into: &errors)
    }
}
