import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * An application load balancer in moto's server, for target groups to hang listeners on (ECS
 * refuses a target group no load balancer uses): a VPC with a subnet in each of two zones, and
 * the load balancer in them. Returns an ELBv2 client at moto, the VPC and the load balancer.
 */
export async function motoLoadBalancer(endpoint: string, name: string) {
  const elb = new ElasticLoadBalancingV2Client({ endpoint, region: "us-east-1", credentials });
  const ec2 = new EC2Client({ endpoint, region: "us-east-1", credentials });
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId as string;
    const subnets: string[] = [];
    for (const [n, zone] of ["us-east-1a", "us-east-1b"].entries()) {
      const { Subnet } = await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${n}.0/24`, AvailabilityZone: zone }),
      );
      subnets.push(Subnet?.SubnetId as string);
    }
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets }));
    return { elb, vpcId, loadBalancerArn: LoadBalancers?.[0].LoadBalancerArn as string };
  } finally {
    ec2.destroy();
  }
}
