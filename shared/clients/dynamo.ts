import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';

let client: DynamoDBDocumentClient | undefined;

/**
 * The document client, created once per process. Locally it points at DynamoDB Local through
 * RAC_DYNAMODB_ENDPOINT with dummy credentials; in Lambda it uses the role's.
 */
export function db(): DynamoDBDocumentClient {
  if (!client) {
    const { dynamoEndpoint } = config();
    const base = new DynamoDBClient(
      dynamoEndpoint
        ? {
            endpoint: dynamoEndpoint,
            region: 'eu-central-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {},
    );
    client = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return client;
}

export function tableName(): string {
  return config().table;
}

export function resetDbForTests(): void {
  client?.destroy();
  client = undefined;
}
