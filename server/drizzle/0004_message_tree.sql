ALTER TABLE "conversations" ADD COLUMN "active_message_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "parent_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_parent_id_messages_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_parent_idx" ON "messages" USING btree ("parent_id");--> statement-breakpoint
-- Backfill (decision 0009): each existing conversation becomes one branch, its messages chained by time.
UPDATE "messages" m SET "parent_id" = p."previous_id"
FROM (
  SELECT "id", lag("id") OVER (PARTITION BY "conversation_id" ORDER BY "created_at", "id") AS "previous_id"
  FROM "messages"
) p
WHERE m."id" = p."id" AND p."previous_id" IS NOT NULL;--> statement-breakpoint
UPDATE "conversations" c SET "active_message_id" = (
  SELECT m."id" FROM "messages" m WHERE m."conversation_id" = c."id"
  ORDER BY m."created_at" DESC, m."id" DESC LIMIT 1
);
