-- Accounts connected before the refresh sweep existed: plan their first refresh from what is stored.
-- Their tokens were received at their last update. TikTok: 30 minutes (LAYERS_REFRESH_AHEAD's default)
-- before the access or refresh token runs out, whichever is first. Instagram: once 24 h old and past half
-- its life, or at expiry when it dies first (the sweep then marks it needs_reauth).
UPDATE "social_accounts" SET "access_token_issued_at" = "updated_at"
WHERE "status" = 'active' AND "access_token_enc" IS NOT NULL AND "access_token_issued_at" IS NULL;
--> statement-breakpoint
UPDATE "social_accounts" SET "refresh_after" = CASE "platform"
    WHEN 'tiktok' THEN least("access_token_expires_at", coalesce("refresh_token_expires_at", "access_token_expires_at")) - interval '30 minutes'
    ELSE least(greatest("access_token_issued_at" + interval '24 hours', "access_token_issued_at" + ("access_token_expires_at" - "access_token_issued_at") / 2), "access_token_expires_at")
  END
WHERE "status" = 'active' AND "access_token_enc" IS NOT NULL AND "access_token_expires_at" IS NOT NULL AND "refresh_after" IS NULL;
