import WheelhouseCore

/// Invoices.
///
/// - `GET …/billing/invoices` — Owner, Admin: every invoice, newest first.
/// - `GET …/billing/invoices/{id}` — the invoice as a printable page.
/// - `GET …/billing/invoices/{id}/pdf` — the same as a PDF (cairo + pango), as a download.
///   Another organization's invoice id is a 404.
struct InvoicesController {
    let shell: Shell
    let database: AppDatabase
    let billing: BillingSetup

    func respond(_ route: BillingRoute, _ visit: Visit, access: OrgAccess) throws -> Response {
        let frame = BillingFrame(
            orgKey: access.org.key, section: .invoices, canManage: access.allows(.manageBilling), currency: billing.currency)
        switch route {
        case .invoice(let id), .invoicePDF(let id):
            guard let invoice = try database.invoice(orgId: access.org.id!, id: id) else { throw DomainError.notFound }
            if case .invoicePDF = route {
                return Response(
                    status: 200,
                    headers: [
                        ("Content-Type", "application/pdf"),
                        ("Content-Disposition", "attachment; filename=\"\(invoice.displayNumber).pdf\""),
                    ], body: InvoicePDF.render(invoice, currency: currency(invoice)))
            }
            let layout = try shell.layout(
                visit, title: "Invoice \(invoice.displayNumber) · \(access.org.displayName)", access: access, tab: .billing)
            return shell.render(.billingInvoice, InvoicePage(frame: frame, invoice: invoice, currency: currency(invoice)), layout: layout)
        default:
            let layout = try shell.layout(visit, title: "Invoices · \(access.org.displayName)", access: access, tab: .billing)
            return shell.render(
                .billingInvoices, InvoicesPage(frame: frame, invoices: try database.invoices(orgId: access.org.id!)), layout: layout)
        }
    }

    /// The invoice's own currency (kept on it), so a later change of the deployment's never reprices it.
    private func currency(_ invoice: Invoice) -> Currency { Currency.named(invoice.currency) ?? billing.currency }
}

struct InvoicesPage: PageValues {
    let frame: BillingFrame
    let invoices: [Invoice]

    func fill(_ context: inout TemplateObject) {
        frame.fill(&context)
        context["invoices"] = TemplateValue.list(
            invoices.map { i in
                let currency = Currency.named(i.currency) ?? frame.currency
                return .object([
                    "number": .text(i.displayNumber), "date": .text(InvoicePDF.day(i.issuedAt)),
                    "description": .text(i.lines.first?.description ?? ""),
                    "total": .text(currency.format(minor: i.totalMinor, withCode: true)), "href": .text(frame.route(.invoice(i.id))),
                    "pdfHref": .text(frame.route(.invoicePDF(i.id))),
                ])
            })
        context["empty"] = invoices.isEmpty
    }
}

struct InvoicePage: PageValues {
    let frame: BillingFrame
    let invoice: Invoice
    let currency: Currency

    func fill(_ context: inout TemplateObject) {
        frame.fill(&context)
        let money = { (m: Int64) in currency.format(minor: m, withCode: true) }
        let i = invoice
        context["invoice"] =
            [
                "number": .text(i.displayNumber), "issued": .text(InvoicePDF.day(i.issuedAt)), "supply": .text(i.supplyDate),
                "sellerName": .text(i.seller.name), "sellerAddress": .text(i.seller.address), "sellerVATId": .text(i.seller.vatId),
                "buyerName": .text(i.buyerName), "buyerAddress": .text(i.buyerAddress),
                "buyerCountry": .text(Countries.name(i.buyerCountry) ?? i.buyerCountry), "buyerVATId": .text(i.buyerVATId),
                "lines": .list(
                    i.lines.map {
                        .object([
                            "description": .text($0.description), "quantity": .number($0.quantity), "unit": .text(money($0.unitMinor)),
                            "amount": .text(money($0.amountMinor)),
                        ])
                    }),
                "net": .text(money(i.netMinor)),
                "vatLabel": .text(i.vat.kind == .standard ? "VAT \(VATTreatment.percent(i.vat.rateBasisPoints))" : "VAT 0 %"),
                "vat": .text(money(i.vatMinor)), "total": .text(money(i.totalMinor)),
                "note": .text(i.vat.kind == .standard ? "" : i.vat.note), "pdfHref": .text(frame.route(.invoicePDF(i.id))),
                "listHref": .text(frame.route(.invoices)),
            ] as TemplateObject
    }
}
