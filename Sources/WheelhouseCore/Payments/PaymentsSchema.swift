import GRDB

/// Migration `v24-billing-payments`: the saved card and billing details, payments, invoices with
/// their gapless counter, auto-refill, and the test gateway's own records.
///
/// The card table holds only the gateway's token, brand, last four digits and expiry: the
/// number and CVC never reach the database. `invoice.number` comes from `invoiceCounter`,
/// incremented in the transaction that records a payment's success, so numbers have no gaps.
/// `refillInFlight` has one row per organization at most: the claim that one refill is running.
enum PaymentsSchema {
    static let sql = """
        CREATE TABLE paymentMethod (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            token TEXT NOT NULL CHECK (length(token) <= 100),
            brand TEXT NOT NULL CHECK (length(brand) <= 40),
            lastFour TEXT NOT NULL CHECK (length(lastFour) = 4),
            expiryMonth INTEGER NOT NULL CHECK (expiryMonth BETWEEN 1 AND 12),
            expiryYear INTEGER NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            updatedAt DATETIME NOT NULL
        );
        CREATE TABLE billingDetails (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            legalName TEXT NOT NULL CHECK (length(legalName) <= 200),
            address TEXT NOT NULL CHECK (length(address) <= 500),
            country TEXT NOT NULL CHECK (length(country) = 2),
            email TEXT NOT NULL CHECK (length(email) <= 254),
            vatId TEXT NOT NULL DEFAULT '' CHECK (length(vatId) <= 20),
            version INTEGER NOT NULL DEFAULT 1,
            updatedAt DATETIME NOT NULL
        );
        CREATE TABLE payment (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('purchase', 'refill')),
            creditsMinor INTEGER NOT NULL CHECK (creditsMinor > 0),
            vatMinor INTEGER NOT NULL CHECK (vatMinor >= 0),
            vatKind TEXT NOT NULL,
            vatRateBasisPoints INTEGER NOT NULL,
            totalMinor INTEGER NOT NULL CHECK (totalMinor > 0),
            currency TEXT NOT NULL,
            idempotencyKey TEXT NOT NULL UNIQUE CHECK (length(idempotencyKey) <= 100),
            status TEXT NOT NULL CHECK (status IN ('pending', 'authenticating', 'succeeded', 'failed')),
            chargeId TEXT,
            challengeId TEXT,
            failureCode TEXT,
            cardLabel TEXT NOT NULL DEFAULT '',
            actorUserId INTEGER REFERENCES user(id) ON DELETE SET NULL,
            createdAt DATETIME NOT NULL,
            updatedAt DATETIME NOT NULL
        );
        CREATE INDEX payment_org ON payment(orgId, id);
        CREATE INDEX payment_refills ON payment(orgId, createdAt) WHERE kind = 'refill';
        CREATE TABLE invoiceCounter (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            lastNumber INTEGER NOT NULL
        );
        INSERT INTO invoiceCounter (id, lastNumber) VALUES (1, 0);
        CREATE TABLE invoice (
            id INTEGER PRIMARY KEY,
            orgId INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
            number INTEGER NOT NULL UNIQUE,
            paymentId INTEGER NOT NULL UNIQUE REFERENCES payment(id),
            issuedAt DATETIME NOT NULL,
            supplyDate TEXT NOT NULL,
            sellerName TEXT NOT NULL, sellerAddress TEXT NOT NULL, sellerVATId TEXT NOT NULL,
            buyerName TEXT NOT NULL, buyerAddress TEXT NOT NULL, buyerCountry TEXT NOT NULL, buyerVATId TEXT NOT NULL,
            currency TEXT NOT NULL,
            netMinor INTEGER NOT NULL,
            vatKind TEXT NOT NULL,
            vatRateBasisPoints INTEGER NOT NULL,
            vatMinor INTEGER NOT NULL,
            totalMinor INTEGER NOT NULL
        );
        CREATE INDEX invoice_org ON invoice(orgId, number);
        CREATE TABLE invoiceLine (
            id INTEGER PRIMARY KEY,
            invoiceId INTEGER NOT NULL REFERENCES invoice(id) ON DELETE CASCADE,
            description TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            unitMinor INTEGER NOT NULL
        );
        CREATE TABLE autoRefill (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            enabled INTEGER NOT NULL DEFAULT 0,
            thresholdMinor INTEGER NOT NULL,
            targetMinor INTEGER NOT NULL,
            monthlyCapMinor INTEGER NOT NULL,
            consecutiveFailures INTEGER NOT NULL DEFAULT 0,
            nextAttemptAt DATETIME,
            lastNote TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1,
            updatedAt DATETIME NOT NULL,
            CHECK (thresholdMinor > 0 AND targetMinor > thresholdMinor)
        );
        CREATE TABLE refillInFlight (
            orgId INTEGER PRIMARY KEY REFERENCES organization(id) ON DELETE CASCADE,
            paymentId INTEGER NOT NULL REFERENCES payment(id),
            claimedAt DATETIME NOT NULL
        );
        CREATE TABLE testGatewayCard (
            token TEXT PRIMARY KEY,
            outcome TEXT NOT NULL,
            createdAt DATETIME NOT NULL
        );
        CREATE TABLE testGatewayCharge (
            id TEXT PRIMARY KEY,
            idempotencyKey TEXT NOT NULL UNIQUE,
            token TEXT NOT NULL,
            amountMinor INTEGER NOT NULL,
            currency TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('succeeded', 'authenticating', 'declined', 'refunded')),
            declineCode TEXT,
            challengeId TEXT UNIQUE,
            returnPath TEXT NOT NULL DEFAULT '',
            refundedMinor INTEGER NOT NULL DEFAULT 0,
            createdAt DATETIME NOT NULL
        );
        """
}
