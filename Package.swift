// swift-tools-version: 6.0
import PackageDescription

/// Layers point one way: C wrappers → WheelhouseCore (domain) → WheelhouseWeb (HTTP values, routes,
/// views) → WheelhouseFastCGI (transport) → `wheelhouse` (CLI). Each C wrapper is imported by one
/// Swift module only.
let package = Package(
    name: "Wheelhouse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wheelhouse", targets: ["wheelhouse"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // ID-token checks for single sign-on (SSO/IDTokenVerifier.swift): JWS signatures against a JWKS.
        .package(url: "https://github.com/vapor/jwt-kit", exact: "5.7.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CFastCGI",
            pkgConfig: "fcgi",
            providers: [.apt(["libfcgi-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // libcurl for outbound calls (Test connection): imported by WheelhouseCore's OutboundHTTP only.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libgd decodes and re-encodes uploaded logos (LogoDecoding.swift only). No `pkgConfig:
        // "gdlib"`: Debian's gdlib.pc adds `-DAVIF_DLL`, which SwiftPM refuses with a warning, and
        // gd.h and libgd.so are on the default paths anyway.
        .systemLibrary(
            name: "CGD",
            providers: [.apt(["libgd-dev"])]
        ),
        // libqrencode draws the two-factor enrolment's QR code (Support/QRCode.swift only); its
        // pkg-config file adds nothing the default paths do not have.
        .systemLibrary(
            name: "CQREncode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // cairo + pango draw the invoices' PDF (Payments/InvoicePDF.swift only): text laid out by
        // pango, so any UTF-8 name renders with the system's fonts. No `pkgConfig: "pangocairo"`:
        // it adds `-pthread`, which SwiftPM refuses with a warning (see shim.h).
        .systemLibrary(
            name: "CCairo",
            providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]
        ),
        // libresolv looks up the TXT records that verify SSO domains (SSO/DNSLookup.swift only); part of glibc.
        .systemLibrary(name: "CResolv"),
        .target(
            name: "WheelhouseCore",
            dependencies: [
                "COpenSSL",
                "CResolv",
                "CCairo",
                "CCurl",
                "CGD",
                "CQREncode",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API, for the usage import's bulk inserts (UsageWriter).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // The data export's archive (Compliance/DataExportArchive).
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .target(
            name: "WheelhouseWeb",
            dependencies: [
                "WheelhouseCore",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WheelhouseFastCGI",
            dependencies: [
                "CFastCGI",
                "WheelhouseWeb",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "wheelhouse",
            dependencies: [
                "WheelhouseCore",
                "WheelhouseWeb",
                "WheelhouseFastCGI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What both test targets share (fixtures, sample images, loopback sockets), written once.
        .target(
            name: "WheelhouseTestSupport",
            dependencies: ["WheelhouseCore", .product(name: "JWTKit", package: "jwt-kit")],
            path: "Tests/WheelhouseTestSupport"
        ),
        .testTarget(
            name: "WheelhouseCoreTests",
            dependencies: [
                "WheelhouseCore", "WheelhouseTestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "WheelhouseWebTests",
            dependencies: [
                "WheelhouseWeb", "WheelhouseCore", "WheelhouseFastCGI", "WheelhouseTestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ]
)
