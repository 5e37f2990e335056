import type { TargetApi } from "../../protocol/handle.ts";
import { cloudWatchModel } from "../../protocol/model.ts";
import { apiTable, modelValidator } from "../apiTable.ts";
import * as alarms from "./alarms.ts";
import { asCloudWatchError, CODES } from "./errors.ts";
import * as tags from "./tags.ts";

/**
 * CloudWatch's alarms on ECS service metrics, answered on Berth's endpoint in the JSON 1.0
 * protocol the AWS CLI and SDKs send (`GraniteServiceVersion20100801.<Op>`, signing name
 * `monitoring`), and in the query protocol older clients send (`Action=…&Version=2010-08-01`),
 * checked against botocore's cloudwatch model (the operations Berth answers).
 */
export const cloudWatchApi: TargetApi = {
  prefix: cloudWatchModel.metadata.targetPrefix,
  actions: apiTable(cloudWatchModel, asCloudWatchError, alarms, tags),
  validate: modelValidator(cloudWatchModel, asCloudWatchError),
  policyName: "cloudwatch",
  contentType: "application/x-amz-json-1.0",
  query: {
    version: cloudWatchModel.metadata.apiVersion,
    xmlns: `http://monitoring.amazonaws.com/doc/${cloudWatchModel.metadata.apiVersion}/`,
    model: cloudWatchModel,
    errorCode: (error) => CODES[error.name] ?? error.name,
  },
  errorHeaders: (error): Record<string, string> => {
    const code = CODES[error.name];
    return code ? { "x-amzn-query-error": `${code};${error.status >= 500 ? "Receiver" : "Sender"}` } : {};
  },
};
