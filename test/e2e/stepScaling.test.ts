import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  RegisterScalableTargetCommand,
  type StepScalingPolicyConfiguration,
} from "@aws-sdk/client-application-auto-scaling";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, type TestKey } from "../support/access.ts";
import {
  cpuAlarmArgs,
  reportUtilization,
  scaledService,
  scalingClient,
  serviceResource,
  stepScaling,
} from "../support/autoScaling.ts";
import { awsCli, awsCliPresent } from "../support/awsCli.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { messages, servicePlay } from "../support/servicePlay.ts";

/**
 * Step scaling as a user sets it up on AWS: `aws cloudwatch put-metric-alarm` on the service's
 * AWS/ECS CPUUtilization against Berth's endpoint, naming a step policy put through
 * `@aws-sdk/client-application-auto-scaling`; Berth evaluates the alarm from what the agent
 * reports (the test plays the agent) and runs the policy while it is in ALARM.
 */
const inCi = process.env.CI === "true";
if (!awsCliPresent() && !inCi)
  console.warn("e2e/stepScaling: skipped, `aws` is not on PATH (CI=true makes this fail).");

describe.skipIf(!awsCliPresent() && !inCi)(
  "step scaling driven by alarms Berth evaluates",
  { timeout: 120_000 },
  () => {
    let berth: TestBerth;
    let aas: ApplicationAutoScalingClient;
    let play: ReturnType<typeof servicePlay>;
    const cloudwatch = async (...args: string[]) => {
      const out = await awsCli({ url: berth.url, ...berth.credentials, region: "us-east-1" }, "cloudwatch", args);
      return out.trim() === "" ? {} : JSON.parse(out);
    };
    const refusal = (...args: string[]) =>
      cloudwatch(...args).then(
        () => {
          throw new Error("expected the call to fail");
        },
        (error: Error) => error.message,
      );
    const cpuAlarm = (name: string, cluster: string, operator: string, threshold: number, actions: string[]) =>
      cpuAlarmArgs(name, cluster, "web", operator, threshold, actions);
    const stepPolicy = async (cluster: string, name: string, config: StepScalingPolicyConfiguration) =>
      (await aas.send(stepScaling(serviceResource(cluster, "web"), name, config))).PolicyARN as string;
    /** A played service `web` in `cluster` at 1 task, its scalable target 1–4 tasks; its instance's id. */
    const scalableService = async (cluster: string) => {
      const instance = await scaledService(berth, play, cluster, 1);
      await aas.send(
        new RegisterScalableTargetCommand({ ...serviceResource(cluster, "web"), MinCapacity: 1, MaxCapacity: 4 }),
      );
      return instance;
    };
    const alarm = async (name: string) => (await cloudwatch("describe-alarms", "--alarm-names", name)).MetricAlarms[0];

    beforeAll(async () => {
      if (!awsCliPresent()) throw new Error("CI=true but `aws` is not on PATH.");
      berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
      aas = scalingClient(berth);
      play = servicePlay(berth.ecs);
    });
    afterAll(async () => {
      aas?.destroy();
      await berth?.stop();
    });

    it("keeps alarms as CloudWatch does: put, described, tagged, refused on what Berth cannot measure, deleted", async () => {
      await cloudwatch(
        ...cpuAlarm("quiet-high", "quiet", "GreaterThanThreshold", 70, []),
        "--tags",
        "Key=team,Value=web",
      );
      const described = await alarm("quiet-high");
      expect(described).toMatchObject({
        AlarmName: "quiet-high",
        AlarmArn: expect.stringMatching(/^arn:aws:cloudwatch:us-east-1:\d{12}:alarm:quiet-high$/),
        StateValue: "INSUFFICIENT_DATA",
        StateReason: "Unchecked: Initial alarm creation",
        Namespace: "AWS/ECS",
        MetricName: "CPUUtilization",
        Statistic: "Average",
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 70,
        ComparisonOperator: "GreaterThanThreshold",
        ActionsEnabled: true,
        Dimensions: [
          { Name: "ClusterName", Value: "quiet" },
          { Name: "ServiceName", Value: "web" },
        ],
      });
      // Epoch seconds on the wire, which AWS CLI v1 prints as they are (its cli_timestamp_format `none`).
      expect(Math.abs(described.StateUpdatedTimestamp - Date.now() / 1000)).toBeLessThan(60);
      const tags = await cloudwatch("list-tags-for-resource", "--resource-arn", described.AlarmArn);
      expect(tags.Tags).toEqual([{ Key: "team", Value: "web" }]);
      expect((await cloudwatch("describe-alarms", "--state-value", "ALARM")).MetricAlarms).toEqual([]);

      // What Berth does not measure is refused, with CloudWatch's error code, and nothing is stored.
      const ec2 = await refusal(
        "put-metric-alarm",
        "--alarm-name",
        "ec2",
        "--namespace",
        "AWS/EC2",
        "--metric-name",
        "CPUUtilization",
        "--dimensions",
        "Name=InstanceId,Value=i-1",
        "--statistic",
        "Average",
        "--period",
        "60",
        "--evaluation-periods",
        "1",
        "--threshold",
        "1",
        "--comparison-operator",
        "GreaterThanThreshold",
      );
      expect(ec2).toContain("(InvalidParameterValue)");
      expect(ec2).toContain("Berth evaluates alarms only on the ECS service metrics AWS/ECS/CPUUtilization");
      const odd = cpuAlarm("odd", "quiet", "GreaterThanThreshold", 1, []);
      odd[odd.indexOf("--period") + 1] = "45";
      const period = await refusal(...odd);
      expect(period).toContain("Period must be 10, 20, 30 or a multiple of 60");
      const missing = await refusal("put-metric-alarm", "--alarm-name", "bare");
      expect(missing).toContain("(MissingParameter)");
      expect((await cloudwatch("describe-alarms")).MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName)).toEqual(
        ["quiet-high"],
      );

      // Deleting: all or none.
      const unknown = await refusal("delete-alarms", "--alarm-names", "quiet-high", "nope");
      expect(unknown).toContain("(ResourceNotFound)");
      expect(await alarm("quiet-high")).toBeDefined();
      await cloudwatch("delete-alarms", "--alarm-names", "quiet-high");
      expect((await cloudwatch("describe-alarms")).MetricAlarms).toEqual([]);
    });

    it("checks keys: a key scoped to a cluster puts alarms on its services only; a read-only key only describes", async () => {
      const as = (key: TestKey, ...args: string[]) =>
        awsCli(
          { url: berth.url, accessKeyId: key.keyId, secretAccessKey: key.secret, region: "us-east-1" },
          "cloudwatch",
          args,
        ).then(
          (out) => (out.trim() === "" ? {} : JSON.parse(out)),
          (error: Error) => error.message,
        );
      const scoped = await createKey(berth, {
        kind: "scoped",
        actions: ["cloudwatch:*"],
        resources: ["arn:aws:ecs:us-east-1:000000000000:cluster/mine"],
      });
      const readOnly = await createKey(berth, { kind: "read-only" });
      expect(await as(scoped, ...cpuAlarm("mine-high", "mine", "GreaterThanThreshold", 70, []))).toEqual({});
      expect(await as(scoped, ...cpuAlarm("theirs-high", "theirs", "GreaterThanThreshold", 70, []))).toContain(
        "(AccessDeniedException)",
      );
      expect(await as(readOnly, ...cpuAlarm("ro-high", "mine", "GreaterThanThreshold", 70, []))).toContain(
        "(AccessDeniedException)",
      );
      const described = await as(readOnly, "describe-alarms", "--alarm-name-prefix", "mine");
      expect(described.MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName)).toEqual(["mine-high"]);
      // Another cluster's alarm, named again with the key's own cluster: replacing it would take
      // that cluster's scaling away, so the key must be allowed on the cluster it watches now.
      await cloudwatch(...cpuAlarm("theirs-low", "theirs", "LessThanThreshold", 20, []));
      expect(await as(scoped, ...cpuAlarm("theirs-low", "mine", "LessThanThreshold", 20, []))).toContain(
        "(AccessDeniedException)",
      );
      const theirs = await alarm("theirs-low");
      expect(theirs.Dimensions).toContainEqual({ Name: "ClusterName", Value: "theirs" });
      await cloudwatch("delete-alarms", "--alarm-names", "mine-high", "theirs-low");
    });

    it("refuses a step configuration Application Auto Scaling refuses, with ValidationException, and keeps nothing", async () => {
      await scalableService("badsteps");
      const refused = async (config: StepScalingPolicyConfiguration) =>
        stepPolicy("badsteps", "bad", config).then(
          () => {
            throw new Error("expected the call to fail");
          },
          (error: Error) => `${error.name}: ${error.message}`,
        );
      expect(
        await refused({
          AdjustmentType: "ChangeInCapacity",
          StepAdjustments: [
            { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
            { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
          ],
        }),
      ).toBe("ValidationException: The step adjustments' intervals must not have a gap between them.");
      expect(await refused({ StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] })).toBe(
        "ValidationException: AdjustmentType is required for a step scaling policy configuration.",
      );
      const { ScalingPolicies } = await aas.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/badsteps/web" }),
      );
      expect(ScalingPolicies).toEqual([]);
      // An update names only what changes: the adjustment type and the steps stay.
      await stepPolicy("badsteps", "ok", {
        AdjustmentType: "PercentChangeInCapacity",
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 50 }],
      });
      await stepPolicy("badsteps", "ok", { Cooldown: 30, MinAdjustmentMagnitude: 2 });
      const [ok] =
        (
          await aas.send(
            new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/badsteps/web" }),
          )
        ).ScalingPolicies ?? [];
      expect(ok.StepScalingPolicyConfiguration).toEqual({
        AdjustmentType: "PercentChangeInCapacity",
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 50 }],
        Cooldown: 30,
        MinAdjustmentMagnitude: 2,
      });
      expect(ok.Alarms).toEqual([]);
    });

    it("scales out by the step the breach falls in while the alarm is in ALARM, and in by another alarm's policy", async () => {
      const instance = await scalableService("steps");
      const out = await stepPolicy("steps", "out", {
        AdjustmentType: "ChangeInCapacity",
        Cooldown: 120,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
        ],
      });
      const scaleIn = await stepPolicy("steps", "in", {
        AdjustmentType: "ChangeInCapacity",
        Cooldown: 0,
        StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
      });
      await cloudwatch(...cpuAlarm("steps-high", "steps", "GreaterThanThreshold", 70, [out]));
      await cloudwatch(...cpuAlarm("steps-low", "steps", "LessThanThreshold", 20, [scaleIn]));
      const policies = await aas.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/steps/web" }),
      );
      expect(policies.ScalingPolicies?.find((p) => p.PolicyName === "out")).toMatchObject({
        PolicyType: "StepScaling",
        StepScalingPolicyConfiguration: { AdjustmentType: "ChangeInCapacity", Cooldown: 120 },
        Alarms: [{ AlarmName: "steps-high", AlarmARN: expect.stringContaining(":alarm:steps-high") }],
      });

      // 100 % of its CPU, 30 points over the threshold: the second step, two more tasks, once.
      const one = await play.untilRunning("steps", 1);
      await reportUtilization(berth, "steps", instance, one, 25);
      await until(
        "the service to scale out to 3",
        async () => (await play.describeService("steps")).desiredCount === 3,
      );
      const high = await alarm("steps-high");
      expect(high.StateValue).toBe("ALARM");
      expect(high.StateReason).toMatch(
        /^Threshold Crossed: 1 out of the last 1 datapoints \[100 \(.+\)\] was greater than the threshold \(70\)/,
      );
      expect(messages(await play.describeService("steps"))).toContainEqual(
        expect.stringMatching(
          /^\(service web\) was scaled out from 1 to 3 tasks by Application Auto Scaling: monitor alarm steps-high in state ALARM \(CPUUtilization 100\.0 against a threshold of 70\) triggered policy out\.$/,
        ),
      );
      // Still in ALARM, within the cooldown: nothing more than what the first scale-out gave.
      const three = await play.untilRunning("steps", 3);
      await reportUtilization(berth, "steps", instance, three, 25);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await play.describeService("steps")).desiredCount).toBe(3);

      // Idle: 10 % is under the low alarm's 20; its policy takes one task at a time down to the
      // minimum, one step an alarm period (10 s) as CloudWatch invokes it: the low alarm may wait
      // for the next period to enter ALARM (this one's datapoint holds the busy samples), then two steps.
      await reportUtilization(berth, "steps", instance, three, 2.5);
      await until(
        "the service to scale in to 1",
        async () => (await play.describeService("steps")).desiredCount === 1,
        60_000,
      );
      await until("the high alarm to be OK", async () => (await alarm("steps-high")).StateValue === "OK");
      const { ScalingActivities } = await aas.send(
        new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: "service/steps/web" }),
      );
      expect(ScalingActivities?.map((a) => a.Description)).toEqual([
        "Setting desired count to 1.",
        "Setting desired count to 2.",
        "Setting desired count to 3.",
      ]);
      expect(ScalingActivities?.[0].Cause).toContain("monitor alarm steps-low in state ALARM");
      expect(ScalingActivities?.[2].Cause).toContain("triggered policy out, changing the desired capacity from 1 to 3");
    });

    it("runs a policy once for a state set with set-alarm-state, which the next evaluation undoes; not with actions disabled", async () => {
      const instance = await scalableService("manual");
      // One task more, wherever the metric is.
      const more = await stepPolicy("manual", "more", {
        AdjustmentType: "ChangeInCapacity",
        Cooldown: 0,
        StepAdjustments: [
          { MetricIntervalUpperBound: 0, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 },
        ],
      });
      await cloudwatch(...cpuAlarm("manual-high", "manual", "GreaterThanThreshold", 70, [more]));
      // Idle at 10 %: the alarm is OK on its own.
      await reportUtilization(berth, "manual", instance, await play.untilRunning("manual", 1), 2.5);
      await until("the alarm to be OK", async () => (await alarm("manual-high")).StateValue === "OK");

      await cloudwatch("disable-alarm-actions", "--alarm-names", "manual-high");
      await cloudwatch(
        "set-alarm-state",
        "--alarm-name",
        "manual-high",
        "--state-value",
        "ALARM",
        "--state-reason",
        "test",
      );
      await until("the alarm to be OK again", async () => (await alarm("manual-high")).StateValue === "OK");
      expect((await play.describeService("manual")).desiredCount).toBe(1);

      await cloudwatch("enable-alarm-actions", "--alarm-names", "manual-high");
      await cloudwatch(
        "set-alarm-state",
        "--alarm-name",
        "manual-high",
        "--state-value",
        "ALARM",
        "--state-reason",
        "test",
      );
      await until(
        "the service to scale out to 2",
        async () => (await play.describeService("manual")).desiredCount === 2,
      );
      await until("the alarm to be OK again", async () => (await alarm("manual-high")).StateValue === "OK");
      // Once: the alarm is back to OK and the policy does not run again.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await play.describeService("manual")).desiredCount).toBe(2);
      expect(
        await refusal("set-alarm-state", "--alarm-name", "nope", "--state-value", "OK", "--state-reason", "x"),
      ).toContain("(ResourceNotFound)");
    });

    it("answers the query protocol too, as older clients send it (the CLI made to send it with a model saying so)", async () => {
      // botocore's own cloudwatch model with `query` as its only protocol, found first through AWS_DATA_PATH.
      const dataPath = mkdtempSync(join(tmpdir(), "berth-query-model-"));
      try {
        execFileSync("python3", [
          "-c",
          `import botocore,gzip,json,os,sys
src=os.path.join(os.path.dirname(botocore.__file__),"data","cloudwatch","2010-08-01","service-2.json.gz")
m=json.load(gzip.open(src)); m["metadata"]["protocol"]="query"; m["metadata"]["protocols"]=["query"]
d=os.path.join(sys.argv[1],"cloudwatch","2010-08-01"); os.makedirs(d)
json.dump(m,open(os.path.join(d,"service-2.json"),"w"))`,
          dataPath,
        ]);
        const query = (...args: string[]) =>
          awsCli({ url: berth.url, ...berth.credentials, region: "us-east-1" }, "cloudwatch", args, {
            AWS_DATA_PATH: dataPath,
          });
        await query(...cpuAlarm("query-high", "query", "GreaterThanOrEqualToThreshold", 70.5, ["arn:aws:sns:x"]));
        const [described] = JSON.parse(await query("describe-alarms", "--alarm-names", "query-high")).MetricAlarms;
        expect(described).toMatchObject({
          AlarmName: "query-high",
          StateValue: "INSUFFICIENT_DATA",
          Threshold: 70.5,
          Period: 10,
          ActionsEnabled: true,
          AlarmActions: ["arn:aws:sns:x"],
          Dimensions: [
            { Name: "ClusterName", Value: "query" },
            { Name: "ServiceName", Value: "web" },
          ],
        });
        // The query protocol's timestamps are ISO 8601, which botocore parses.
        expect(described.StateUpdatedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
        const refused = await query("put-metric-alarm", "--alarm-name", "bare").catch((e: Error) => e.message);
        expect(refused).toContain("(MissingParameter)");
        await query("delete-alarms", "--alarm-names", "query-high");
        expect(JSON.parse(await query("describe-alarms", "--alarm-name-prefix", "query-")).MetricAlarms).toEqual([]);
      } finally {
        rmSync(dataPath, { recursive: true, force: true });
      }
    });
  },
);
