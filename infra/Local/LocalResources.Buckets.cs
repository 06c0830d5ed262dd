using System.Text.Json.Nodes;
using Amazon.S3;
using Serverless.Local.Lambda;
using Serverless.Local.S3;

namespace Serverless.Local;

// The template's buckets on the S3 emulator, with their CORS rules for the S3 front.
public sealed partial class LocalResources
{
    /// <summary>
    /// Creates each bucket (it may be there already when the emulator's data folder was kept), named by its <c>BucketName</c>
    /// or, as CloudFormation would but without the random suffix, <c>{stack}-{logicalid}</c> in lower case.
    /// </summary>
    private async Task CreateBucketsAsync(Action<string> log, CancellationToken cancellationToken)
    {
        using var client = LocalClients.S3(s3.Endpoint);
        foreach (var (logicalId, properties) in template.ResourcesOfType("AWS::S3::Bucket"))
        {
            var name = properties["BucketName"] is { } given ? resolver.ResolveString(given)
                : $"{LocalCloud.StackName}-{logicalId}".ToLowerInvariant();
            try
            {
                await client.PutBucketAsync(name, cancellationToken);
            }
            catch (AmazonS3Exception error) when (error.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
            refs[logicalId] = name;
            attributes[$"{logicalId}.Arn"] = $"arn:aws:s3:::{name}";
            attributes[$"{logicalId}.DomainName"] = $"{name}.s3.amazonaws.com";
            attributes[$"{logicalId}.RegionalDomainName"] = $"{name}.s3.{LocalAccount.Region}.amazonaws.com";
            attributes[$"{logicalId}.DualStackDomainName"] = $"{name}.s3.dualstack.{LocalAccount.Region}.amazonaws.com";
            attributes[$"{logicalId}.WebsiteURL"] = $"http://{name}.s3-website-{LocalAccount.Region}.amazonaws.com";
            if (resolver.Resolve(properties["CorsConfiguration"]?["CorsRules"]) is JsonArray rules)
                bucketCors[name] = rules.Select(rule => CorsRule(rule!)).ToList();
            log($"[s3] bucket {name}");
        }
    }

    private static S3CorsRule CorsRule(JsonNode rule)
    {
        IReadOnlyList<string> List(string key) => rule[key] is JsonArray items ? items.Select(item => item!.ToString()).ToList() : [];
        return new S3CorsRule(List("AllowedOrigins"), List("AllowedMethods"), List("AllowedHeaders"), List("ExposedHeaders"),
            rule["MaxAge"]?.GetValue<int>());
    }

    /// <summary>The CORS rules of a bucket the template defines; null when it has none.</summary>
    public IReadOnlyList<S3CorsRule>? CorsRulesOf(string bucket) => bucketCors.GetValueOrDefault(bucket);
}
