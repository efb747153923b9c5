import Logging
import PostgresNIO

/// The hub's schema, in order. Each step runs once, in its own transaction, and is recorded in `hub_migration`;
/// a hub that starts against an older database brings it up to date before it takes any batch.
enum HubMigrations {
    static let steps: [(version: Int, name: String, sql: [String])] = [
        (1, "passages, district webhook cursors", [
            """
            CREATE TABLE passage (
              seq bigserial PRIMARY KEY,
              key text NOT NULL,
              lane text NOT NULL,
              checkpoint text NOT NULL,
              district text NOT NULL,
              passage_id bigint NOT NULL,
              recorded_at timestamptz NOT NULL,
              received_at timestamptz NOT NULL DEFAULT now(),
              outcome text NOT NULL,
              verdict text,
              temperature_c real,
              uncertainty_c real,
              threshold_c real,
              referenced boolean,
              declaration_kind text,
              follow_up jsonb,
              CONSTRAINT passage_key_unique UNIQUE (key)
            )
            """,
            "CREATE INDEX passage_district_seq ON passage (district, seq)",
            "CREATE INDEX passage_recorded_at ON passage (recorded_at)",
            """
            CREATE TABLE district_webhook (
              district text PRIMARY KEY,
              delivered_seq bigint NOT NULL DEFAULT 0,
              failures integer NOT NULL DEFAULT 0,
              last_error text,
              last_attempt_at timestamptz,
              last_success_at timestamptz
            )
            """,
        ]),
        (2, "tracing pseudonyms", [
            "ALTER TABLE passage ADD COLUMN pseudonym text",
            "CREATE INDEX passage_pseudonym ON passage (pseudonym, recorded_at) WHERE pseudonym IS NOT NULL",
        ]),
        (3, "tracing audit", [
            """
            CREATE TABLE tracing_audit (
              id bigserial PRIMARY KEY,
              at timestamptz NOT NULL DEFAULT now(),
              peer text NOT NULL,
              query text NOT NULL,
              allowed boolean NOT NULL,
              rows integer NOT NULL DEFAULT 0
            )
            """,
            // Append-only: no role through the hub (or a psql session as its user) can change or remove a row.
            """
            CREATE FUNCTION tracing_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'tracing_audit is append-only'; END $$
            """,
            "CREATE TRIGGER tracing_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON tracing_audit FOR EACH STATEMENT EXECUTE FUNCTION tracing_audit_append_only()",
            "CREATE INDEX passage_lane_recorded_at ON passage (lane, recorded_at)",
        ]),
        // The pseudonym retention finds the passages whose pseudonym has outlived it by age alone.
        (4, "pseudonym retention", [
            "CREATE INDEX passage_pseudonym_age ON passage (recorded_at) WHERE pseudonym IS NOT NULL",
        ]),
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.query(
            "CREATE TABLE IF NOT EXISTS hub_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger)
        for step in steps {
            try await client.withTransaction(logger: logger) { connection in
                // One hub at a time migrates; a second one waits here and then finds the step done.
                try await connection.query("SELECT pg_advisory_xact_lock(7402051)", logger: logger)
                let done = try await connection.query("SELECT 1 FROM hub_migration WHERE version = \(step.version)", logger: logger)
                var applied = false
                for try await _ in done { applied = true }
                guard !applied else { return }
                for statement in step.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO hub_migration (version, name) VALUES (\(step.version), \(step.name))", logger: logger)
                logger.notice("database migrated to version \(step.version): \(step.name)")
            }
        }
    }
}
