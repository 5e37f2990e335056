import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";

/** An item as DynamoDB keeps it and as its stream images it: marshalled. */
export type Image = Record<string, AttributeValue>;

const at = new Date("2026-01-01T00:00:00Z");

/**
 * A DynamoDB stream record as Lambda delivers it, of one write: INSERT without an old image,
 * MODIFY with one, REMOVE without a new one (the table streams new and old images).
 */
export function streamRecord(sequence: number, images: { new?: Image; old?: Image }): DynamoDBRecord {
  const keyed = images.new ?? images.old ?? {};
  return {
    eventID: `e${sequence}`,
    eventName: !images.new ? "REMOVE" : images.old ? "MODIFY" : "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN: "arn:aws:dynamodb:us-east-1:000000000000:table/berth/stream/2026-01-01T00:00:00.000",
    dynamodb: {
      ApproximateCreationDateTime: at.getTime() / 1000,
      Keys: { pk: keyed.pk, sk: keyed.sk } as never,
      ...(images.new && { NewImage: images.new as never }),
      ...(images.old && { OldImage: images.old as never }),
      SequenceNumber: String(sequence),
      SizeBytes: 100,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}
