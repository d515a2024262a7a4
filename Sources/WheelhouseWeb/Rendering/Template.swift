/// Every template under `Templates/` the code uses, pages and partials alike: the raw value is the
/// path without `.mustache`. `Templates(directory:)` loads and checks each one at start-up, and
/// `Templates.render` takes only this type, so no page can name a template that was not checked.
/// A new template is a new case here (a test compares this list with the folder).
public enum Template: String, CaseIterable, Sendable {
    // Shell and sign-in
    case layout
    case error = "errors/error"
    case login
    case loginCode = "login-code"
    case invitation
    case confirmation
    case passwordForgot = "password-forgot"
    case passwordReset = "password-reset"
    case emailChange = "email-change"
    case testGatewayChallenge = "test-gateway-challenge"
    case sso

    // Settings tabs and the pages below them, mirroring their URLs
    case general = "settings/general"
    case members = "settings/members"
    case teams = "settings/teams"
    case team = "settings/team"
    case workspaces = "settings/workspaces"
    case workspace = "settings/workspace"
    case secrets = "settings/secrets"
    case secretsRotate = "settings/secrets/rotate"
    case secretsDelete = "settings/secrets/delete"
    case providers = "settings/providers"
    case providersForm = "settings/providers/form"
    case providersDelete = "settings/providers/delete"
    case apiKeys = "settings/api-keys"
    case apiKeysSecret = "settings/api-keys/secret"
    case apiKeysRotate = "settings/api-keys/rotate"
    case apiKeysConfirm = "settings/api-keys/confirm"
    case chatModels = "settings/chat-models"
    case usage = "settings/usage"
    case billing = "settings/billing"
    case billingPlanChange = "settings/billing/plan-change"
    case billingCredits = "settings/billing/credits"
    case billingTransactions = "settings/billing/transactions"
    case billingPaymentMethod = "settings/billing/payment-method"
    case billingBuy = "settings/billing/buy"
    case billingPayment = "settings/billing/payment"
    case billingInvoices = "settings/billing/invoices"
    case billingInvoice = "settings/billing/invoice"
    case billingAutoRefill = "settings/billing/auto-refill"
    case audit = "settings/audit"
    case privacy = "settings/privacy"
    case compliance = "settings/compliance"
    case integrations = "settings/integrations"
    case integrationsWebhook = "settings/integrations/webhook"
    case integrationsSecret = "settings/integrations/secret"
    case ssoSettings = "settings/sso"

    // The Account area
    case accountNotifications = "account/notifications"
    case accountProfile = "account/profile"
    case accountSecurity = "account/security"
    case accountSessions = "account/sessions"
    case accountTwoFactor = "account/two-factor"
    case accountNewOrganization = "account/new-organization"
    case accountDelete = "account/delete"
    case accountPreferences = "account/preferences"
    case orgOverview = "overview"

    // Partials, included with `{{> partials/…}}`; never rendered on their own
    case auditFiltersPartial = "partials/audit-filters"
    case bannerPartial = "partials/banner"
    case billingTabsPartial = "partials/billing-tabs"
    case csrfPartial = "partials/csrf"
    case fieldPartial = "partials/field"
    case flashPartial = "partials/flash"
    case formErrorsPartial = "partials/form-errors"
    case generalConflictPartial = "partials/general-conflict"
    case memberRowPartial = "partials/member-row"
    case navPartial = "partials/nav"
    case pagerPartial = "partials/pager"
    case qrCodePartial = "partials/qr-code"
    case selectFieldPartial = "partials/select-field"
    case usageChartPartial = "partials/usage-chart"
    case workspaceManagePartial = "partials/workspace-manage"
    case editorTokenRowPartial = "partials/editor-token-row"

    /// The file's path under `Templates/`.
    public var fileName: String { rawValue + ".mustache" }
}
