import GRDB

/// Every kind of change the console writes to the audit log, one case per action.
///
/// The raw values are what `auditEvent.action` stores. **They never change once shipped**: rows
/// written years ago must still read back as the same case, and the Audit log filters by them.
/// A new action is a new case with a new raw value; a renamed case keeps its old raw value.
/// Raw values are dotted subject.verb (segments in lowerCamelCase, e.g. `chatModel.enable`).
public enum AuditAction: String, CaseIterable, Codable, Sendable, DatabaseValueConvertible {
    // MARK: - Organization
    case organizationCreate = "organization.create"
    case organizationUpdate = "organization.update"
    case organizationPlan = "organization.plan"
    /// An Owner scheduled a move to a cheaper plan for the start of the next period.
    case planDowngradeSchedule = "organization.plan.downgrade.schedule"
    /// An Owner cancelled a scheduled downgrade.
    case planDowngradeCancel = "organization.plan.downgrade.cancel"
    case organizationTransfer = "organization.transfer"
    /// An Owner scheduled the organization's deletion (30 days of grace).
    case organizationDeletionSchedule = "organization.deletion.schedule"
    /// An Owner cancelled a scheduled deletion: everything stays.
    case organizationDeletionCancel = "organization.deletion.cancel"
    /// The tombstone left outside a purged organization (no org id: who asked, when, its key).
    case organizationPurge = "organization.purge"

    // MARK: - Members and invitations
    case memberAdd = "member.add"
    case memberRole = "member.role"
    case memberRemove = "member.remove"
    case memberLeave = "member.leave"
    /// A member deleted their own account: they left every organization at once.
    case memberAccountDelete = "member.account.delete"
    case invitationCreate = "invitation.create"
    case invitationResend = "invitation.resend"
    case invitationRevoke = "invitation.revoke"
    case invitationAccount = "invitation.account"
    case invitationAccountDiscard = "invitation.account.discard"
    case invitationAccept = "invitation.accept"

    // MARK: - Teams
    case teamCreate = "team.create"
    case teamUpdate = "team.update"
    case teamDelete = "team.delete"
    case teamMemberAdd = "team.member.add"
    case teamMemberRemove = "team.member.remove"

    // MARK: - Workspaces
    case workspaceCreate = "workspace.create"
    case workspaceUpdate = "workspace.update"
    case workspaceArchive = "workspace.archive"
    case workspaceRestore = "workspace.restore"
    case workspaceDelete = "workspace.delete"
    case workspaceAccessGrant = "workspace.access.grant"
    case workspaceAccessChange = "workspace.access.change"
    case workspaceAccessRevoke = "workspace.access.revoke"

    // MARK: - Credentials
    case secretCreate = "secret.create"
    case secretRotate = "secret.rotate"
    case secretDelete = "secret.delete"
    case providerCreate = "provider.create"
    case providerUpdate = "provider.update"
    case providerDelete = "provider.delete"
    /// Someone asked for a connection test; `providerTest` follows when the worker has run it.
    case providerTestRequest = "provider.test.request"
    case providerTest = "provider.test"
    /// Start-up re-sealed old provider keys bound to their base URL (no organization, no actor).
    case providerBindKeys = "provider.bindKeys"
    case chatModelEnable = "chatModel.enable"
    case chatModelDisable = "chatModel.disable"
    /// `wheelhouse rotate-master-key` (no organization, no actor).
    case masterKeyRotate = "masterKey.rotate"

    // MARK: - API keys (area Credentials)
    case apiKeyCreate = "apiKey.create"
    /// A successor secret; the old one works until the grace chosen.
    case apiKeyRotate = "apiKey.rotate"
    /// The previous secret's grace cut short.
    case apiKeyRevokePrevious = "apiKey.revokePrevious"
    case apiKeyRevoke = "apiKey.revoke"
    /// The organization's maximum key lifetime changed.
    case apiKeyPolicy = "apiKey.policy"

    // MARK: - Audit log
    /// An Owner changed how long the organization keeps its audit entries.
    case auditRetention = "audit.retention"
    /// The retention job removed entries older than the window (no actor; one entry per run).
    case auditPrune = "audit.prune"

    // MARK: - Privacy
    /// An Owner changed the retention windows of the Privacy tab (one entry, every class changed).
    case privacyRetention = "privacy.retention"
    /// An Owner switched PII masking for Admins on or off.
    case privacyMasking = "privacy.masking"
    /// An Owner opted the organization out of model training, or back in.
    case privacyTraining = "privacy.training"
    /// The privacy job removed data past its windows (no actor; one entry per organization per run).
    case privacyPrune = "privacy.prune"
    // MARK: - Compliance
    /// An Owner asked for an export of all the organization's data (built in the background).
    case complianceExportRequest = "compliance.export.request"
    /// An Owner downloaded a finished export through its signed link (one entry per download).
    case complianceExportDownload = "compliance.export.download"
    // MARK: - Billing
    /// An Owner set, changed or switched off the AI-credit warning threshold.
    case billingCreditWarning = "billing.creditWarning"
    // MARK: - Billing (payments)
    /// An Owner saved a card (only its token, brand, last four digits and expiry are kept).
    case billingCard = "billing.card.save"
    /// An Owner saved the billing details printed on invoices.
    case billingDetails = "billing.details.save"
    /// A purchase of credits succeeded: credits added and an invoice issued, in one transaction.
    case billingCreditsPurchase = "billing.credits.purchase"
    /// A purchase or refill payment was declined; nothing was added.
    case billingPaymentFail = "billing.payment.fail"
    /// An Owner changed auto-refill (on, off, threshold, target, cap).
    case billingAutoRefillUpdate = "billing.autoRefill.update"
    /// Auto-refill charged the card and added credits (no actor: the background job or the usage path).
    case billingAutoRefillCharge = "billing.autoRefill.charge"
    /// Auto-refill switched itself off after 3 consecutive failed payments.
    case billingAutoRefillOff = "billing.autoRefill.off"
    /// A paid plan's renewal was charged for a new month (no actor: the background job).
    case billingRenewal = "billing.renewal"
    /// A renewal payment failed: the subscription is past due until a retry succeeds.
    case billingRenewalFail = "billing.renewal.fail"
    /// An Owner asked for a past-due renewal to be retried now.
    case billingRenewalRetry = "billing.renewal.retry"
    // MARK: - Integrations (area Credentials)
    case webhookCreate = "integration.webhook.create"
    /// Switched on or off.
    case webhookUpdate = "integration.webhook.update"
    case webhookDelete = "integration.webhook.delete"
    /// A new signing secret; the old one stops at once.
    case webhookRotateSecret = "integration.webhook.rotateSecret"
    case webhookTest = "integration.webhook.test"
    /// A delivery sent again with the same event id.
    case webhookRedeliver = "integration.webhook.redeliver"
    /// The Slack channel's URL or events saved.
    case slackSave = "integration.slack.save"
    case slackDelete = "integration.slack.delete"
    case slackTest = "integration.slack.test"
    case editorTokenCreate = "integration.editorToken.create"
    case editorTokenRevoke = "integration.editorToken.revoke"

    // MARK: - Single sign-on
    /// The OpenID Connect configuration was saved (its discovery queued).
    case ssoConfigure = "sso.configure"
    /// The background worker fetched (or failed to fetch) the discovery document and its keys.
    case ssoDiscovery = "sso.discovery"
    case ssoDomainAdd = "sso.domain.add"
    case ssoDomainRemove = "sso.domain.remove"
    case ssoDomainVerifyRequest = "sso.domain.verify.request"
    /// A domain's TXT record was looked up: verified, failed, or vanished at the daily re-check.
    case ssoDomainVerify = "sso.domain.verify"
    /// A person joined through SSO with the default role (just-in-time).
    case ssoJoin = "sso.join"
    /// An Owner or Admin's test sign-in through the provider succeeded or failed.
    case ssoTest = "sso.test"
    /// SSO enforcement or the break-glass Owners changed.
    case ssoEnforce = "sso.enforce"
    /// A break-glass Owner signed in with a password while SSO is enforced.
    case ssoBreakGlass = "sso.breakGlass"

    /// What the Audit log shows for the action: short, sentence case, past tense.
    public var title: String {
        switch self {
        case .organizationCreate: "Organization created"
        case .organizationUpdate: "Organization settings changed"
        case .organizationPlan: "Plan changed"
        case .planDowngradeSchedule: "Plan downgrade scheduled"
        case .planDowngradeCancel: "Plan downgrade cancelled"
        case .organizationTransfer: "Ownership transferred"
        case .organizationDeletionSchedule: "Deletion scheduled"
        case .organizationDeletionCancel: "Deletion cancelled"
        case .organizationPurge: "Organization deleted for good"
        case .memberAdd: "Member added"
        case .memberRole: "Member role changed"
        case .memberRemove: "Member removed"
        case .memberLeave: "Member left"
        case .memberAccountDelete: "Member deleted their account"
        case .invitationCreate: "Invitation sent"
        case .invitationResend: "Invitation resent"
        case .invitationRevoke: "Invitation revoked"
        case .invitationAccount: "Account created from an invitation"
        case .invitationAccountDiscard: "Unconfirmed account discarded"
        case .invitationAccept: "Invitation accepted"
        case .teamCreate: "Team created"
        case .teamUpdate: "Team changed"
        case .teamDelete: "Team deleted"
        case .teamMemberAdd: "Team member added"
        case .teamMemberRemove: "Team member removed"
        case .workspaceCreate: "Workspace created"
        case .workspaceUpdate: "Workspace changed"
        case .workspaceArchive: "Workspace archived"
        case .workspaceRestore: "Workspace restored"
        case .workspaceDelete: "Workspace deleted"
        case .workspaceAccessGrant: "Workspace access granted"
        case .workspaceAccessChange: "Workspace access changed"
        case .workspaceAccessRevoke: "Workspace access revoked"
        case .secretCreate: "Secret added"
        case .secretRotate: "Secret rotated"
        case .secretDelete: "Secret deleted"
        case .providerCreate: "Provider added"
        case .providerUpdate: "Provider changed"
        case .providerDelete: "Provider removed"
        case .providerTestRequest: "Provider test requested"
        case .providerTest: "Provider tested"
        case .providerBindKeys: "Provider keys bound to their base URL"
        case .chatModelEnable: "Chat model switched on"
        case .chatModelDisable: "Chat model switched off"
        case .masterKeyRotate: "Master key rotated"
        case .apiKeyCreate: "API key created"
        case .apiKeyRotate: "API key rotated"
        case .apiKeyRevokePrevious: "API key's previous secret revoked"
        case .apiKeyRevoke: "API key revoked"
        case .apiKeyPolicy: "API key lifetime policy changed"
        case .auditRetention: "Audit retention changed"
        case .auditPrune: "Old audit entries removed"
        case .privacyRetention: "Data retention changed"
        case .privacyMasking: "PII masking switched"
        case .privacyTraining: "Model training opt-out switched"
        case .privacyPrune: "Data past its retention removed"
        case .complianceExportRequest: "Data export requested"
        case .complianceExportDownload: "Data export downloaded"
        case .billingCreditWarning: "Credit warning threshold changed"
        case .billingCard: "Card saved"
        case .billingDetails: "Billing details changed"
        case .billingCreditsPurchase: "Credits bought"
        case .billingPaymentFail: "Payment declined"
        case .billingAutoRefillUpdate: "Auto-refill changed"
        case .billingAutoRefillCharge: "Auto-refill charged"
        case .billingAutoRefillOff: "Auto-refill switched off after failures"
        case .billingRenewal: "Plan renewed"
        case .billingRenewalFail: "Plan renewal failed"
        case .billingRenewalRetry: "Plan renewal retried"
        case .webhookCreate: "Webhook endpoint added"
        case .webhookUpdate: "Webhook endpoint switched"
        case .webhookDelete: "Webhook endpoint deleted"
        case .webhookRotateSecret: "Webhook signing secret rotated"
        case .webhookTest: "Webhook test event sent"
        case .webhookRedeliver: "Webhook delivery sent again"
        case .slackSave: "Slack integration saved"
        case .slackDelete: "Slack integration removed"
        case .slackTest: "Slack test message sent"
        case .editorTokenCreate: "Editor token created"
        case .editorTokenRevoke: "Editor token revoked"
        case .ssoConfigure: "SSO configuration saved"
        case .ssoDiscovery: "SSO discovery fetched"
        case .ssoDomainAdd: "SSO domain added"
        case .ssoDomainRemove: "SSO domain removed"
        case .ssoDomainVerifyRequest: "SSO domain check requested"
        case .ssoDomainVerify: "SSO domain checked"
        case .ssoJoin: "Member joined through SSO"
        case .ssoTest: "SSO test sign-in"
        case .ssoEnforce: "SSO enforcement changed"
        case .ssoBreakGlass: "Break-glass password sign-in"
        }
    }
}
