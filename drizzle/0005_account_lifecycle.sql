ALTER TABLE "social_accounts" ADD COLUMN "reauth_reason" text;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "access_token_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "last_refreshed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "refresh_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "refresh_lease_id" text;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "refresh_lease_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandbox_tokens" ADD COLUMN "access_ttl_seconds" integer;--> statement-breakpoint
ALTER TABLE "sandbox_tokens" ADD COLUMN "refresh_ttl_seconds" integer;--> statement-breakpoint
CREATE INDEX "social_accounts_refresh_due_idx" ON "social_accounts" USING btree ("refresh_after","id") WHERE "social_accounts"."status" = 'active' and "social_accounts"."refresh_after" is not null;