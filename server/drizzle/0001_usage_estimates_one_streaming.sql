-- A database written before the guard may hold two answers streaming in one conversation (the race the
-- index below closes): all but the newest of each conversation are marked interrupted first.
UPDATE "messages" SET "status" = 'interrupted', "error_code" = 'interrupted', "updated_at" = now()
WHERE "status" = 'streaming' AND "id" NOT IN (
  SELECT DISTINCT ON ("conversation_id") "id" FROM "messages" WHERE "status" = 'streaming'
  ORDER BY "conversation_id", "created_at" DESC, "id" DESC
);--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "cost_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "tokens_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_one_streaming_idx" ON "messages" USING btree ("conversation_id") WHERE "messages"."status" = 'streaming';