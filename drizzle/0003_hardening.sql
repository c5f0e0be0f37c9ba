DROP INDEX "social_accounts_identity_key";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD COLUMN "browser_binding_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "social_accounts_identity_key" ON "social_accounts" USING btree ("project_id","platform","platform_user_id","livemode");