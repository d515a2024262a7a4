import CCairo
import Foundation

/// An invoice as a PDF, drawn by cairo with its text laid out by pango (so any UTF-8 name, in
/// any script the system's fonts cover, renders), one A4 page.
public enum InvoicePDF {
    /// The bytes cairo writes, gathered in memory.
    private final class Sink {
        var bytes: [UInt8] = []
    }

    public static func render(_ invoice: Invoice, currency: Currency) -> [UInt8] {
        let sink = Sink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        let write: cairo_write_func_t = { closure, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }
        let surface = cairo_pdf_surface_create_for_stream(write, unmanaged.toOpaque(), 595.28, 841.89)
        let cr = cairo_create(surface)!
        let page = Page(cr: cr)
        draw(invoice, currency: currency, on: page)
        cairo_show_page(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
        return sink.bytes
    }

    /// Text at a position, with pango: `width` in points wraps long lines; `right` aligns right.
    private struct Page {
        let cr: OpaquePointer

        @discardableResult
        func text(_ s: String, x: Double, y: Double, size: Int = 10, bold: Bool = false, width: Double = 250, right: Bool = false) -> Double
        {
            let layout = pango_cairo_create_layout(cr)!
            defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
            let font = pango_font_description_from_string("DejaVu Sans \(bold ? "Bold " : "")\(size)")
            defer { pango_font_description_free(font) }
            pango_layout_set_font_description(layout, font)
            pango_layout_set_width(layout, Int32(width * Double(WH_PANGO_SCALE)))
            pango_layout_set_wrap(layout, Int32(WH_PANGO_WRAP_WORD_CHAR))
            if right { pango_layout_set_alignment(layout, Int32(WH_PANGO_ALIGN_RIGHT)) }
            pango_layout_set_text(layout, s, -1)
            cairo_move_to(cr, x, y)
            pango_cairo_show_layout(cr, layout)
            var w: Int32 = 0
            var h: Int32 = 0
            pango_layout_get_size(layout, &w, &h)
            return Double(h) / Double(WH_PANGO_SCALE)
        }

        func rule(y: Double) {
            cairo_set_line_width(cr, 0.5)
            cairo_move_to(cr, 50, y)
            cairo_line_to(cr, 545, y)
            cairo_stroke(cr)
        }
    }

    private static func draw(_ invoice: Invoice, currency: Currency, on page: Page) {
        let money = { (minor: Int64) in currency.format(minor: minor, withCode: true) }
        page.text("Invoice \(invoice.displayNumber)", x: 50, y: 50, size: 18, bold: true, width: 495)
        page.text("Issue date: \(Self.day(invoice.issuedAt))\nDate of supply: \(invoice.supplyDate)", x: 345, y: 90, width: 200)
        page.text("Seller", x: 50, y: 140, bold: true)
        let sellerHeight = page.text(
            "\(invoice.seller.name)\n\(invoice.seller.address)\nVAT id: \(invoice.seller.vatId)", x: 50, y: 156, width: 240)
        page.text("Bill to", x: 305, y: 140, bold: true)
        let country = Countries.name(invoice.buyerCountry) ?? invoice.buyerCountry
        let buyerVAT = invoice.buyerVATId.isEmpty ? "" : "\nVAT id: \(invoice.buyerVATId)"
        let buyerHeight = page.text("\(invoice.buyerName)\n\(invoice.buyerAddress)\n\(country)\(buyerVAT)", x: 305, y: 156, width: 240)
        var y = 170 + max(sellerHeight, buyerHeight) + 20
        page.text("Description", x: 50, y: y, bold: true)
        page.text("Quantity", x: 275, y: y, bold: true, width: 85, right: true)
        page.text("Unit price", x: 365, y: y, bold: true, width: 85, right: true)
        page.text("Amount", x: 455, y: y, bold: true, width: 90, right: true)
        y += 18
        page.rule(y: y)
        y += 6
        for line in invoice.lines {
            let height = page.text(line.description, x: 50, y: y, width: 220)
            page.text(String(line.quantity), x: 275, y: y, width: 85, right: true)
            page.text(money(line.unitMinor), x: 365, y: y, width: 85, right: true)
            page.text(money(line.amountMinor), x: 455, y: y, width: 90, right: true)
            y += max(height, 14) + 6
        }
        page.rule(y: y)
        y += 8
        let vatLabel = invoice.vat.kind == .standard ? "VAT \(VATTreatment.percent(invoice.vat.rateBasisPoints))" : "VAT 0 %"
        for (label, minor, bold) in [
            ("Net", invoice.netMinor, false), (vatLabel, invoice.vatMinor, false), ("Total", invoice.totalMinor, true),
        ] {
            page.text(label, x: 300, y: y, bold: bold, width: 150, right: true)
            page.text(money(minor), x: 455, y: y, bold: bold, width: 90, right: true)
            y += 16
        }
        y += 12
        if invoice.vat.kind != .standard { page.text(invoice.vat.note, x: 50, y: y, size: 9, width: 495) }
        page.text("Paid by card. Thank you.", x: 50, y: 780, size: 9, width: 495)
    }

    public static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let d = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", d.year!, d.month!, d.day!)
    }
}
