using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Template;

/// <summary>
/// The IAM actions a source file performs, from the AWS SDK and kernel client calls it makes: <c>.GetItemAsync(</c> →
/// <c>dynamodb:GetItem</c>, <c>.InvokeEndpointAsync(</c> → <c>sagemaker:InvokeEndpoint</c>, a presigned URL with
/// <c>HttpVerb.PUT</c> → <c>s3:PutObject</c>, a transaction → the actions of the items it builds.
/// </summary>
public static partial class AwsActions
{
    /// <summary>SDK and kernel client methods → the IAM actions each needs.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByMethod = new Dictionary<string, string[]>
    {
        ["GetItemAsync"] = ["dynamodb:GetItem"],
        ["PutItemAsync"] = ["dynamodb:PutItem"],
        ["UpdateItemAsync"] = ["dynamodb:UpdateItem"],
        ["DeleteItemAsync"] = ["dynamodb:DeleteItem"],
        ["QueryAsync"] = ["dynamodb:Query"],
        ["ScanAsync"] = ["dynamodb:Scan"],
        ["BatchWriteItemAsync"] = ["dynamodb:BatchWriteItem"],
        ["BatchGetItemAsync"] = ["dynamodb:BatchGetItem"],
        ["TransactGetItemsAsync"] = ["dynamodb:GetItem"],
        ["GetObjectAsync"] = ["s3:GetObject"],
        ["GetObjectMetadataAsync"] = ["s3:GetObject"],
        ["PutObjectAsync"] = ["s3:PutObject"],
        ["CopyObjectAsync"] = ["s3:GetObject", "s3:PutObject"],
        ["DeleteObjectAsync"] = ["s3:DeleteObject"],
        ["DeleteObjectsAsync"] = ["s3:DeleteObject"],
        ["ListObjectsV2Async"] = ["s3:ListBucket"],
        ["ListObjectsAsync"] = ["s3:ListBucket"],
        ["InitiateMultipartUploadAsync"] = ["s3:PutObject"],
        ["UploadPartAsync"] = ["s3:PutObject"],
        ["CompleteMultipartUploadAsync"] = ["s3:PutObject"],
        ["AbortMultipartUploadAsync"] = ["s3:AbortMultipartUpload"],
        ["InvokeEndpointAsync"] = ["sagemaker:InvokeEndpoint"],
        ["ClassifyAsync"] = ["sagemaker:InvokeEndpoint"],
        ["AdminDeleteUserAsync"] = ["cognito-idp:AdminDeleteUser"],
        ["AdminGetUserAsync"] = ["cognito-idp:AdminGetUser"],
        ["AdminDisableUserAsync"] = ["cognito-idp:AdminDisableUser"],
        ["AdminUserGlobalSignOutAsync"] = ["cognito-idp:AdminUserGlobalSignOut"],
        ["InvokeEventAsync"] = ["lambda:InvokeFunction"],
    };

    /// <summary>A transaction's items → the action each needs (IAM authorizes TransactWriteItems per item).</summary>
    private static readonly Dictionary<string, string> TransactionItems = new()
    {
        ["Put"] = "dynamodb:PutItem",
        ["Update"] = "dynamodb:UpdateItem",
        ["Delete"] = "dynamodb:DeleteItem",
        ["ConditionCheck"] = "dynamodb:ConditionCheckItem",
    };

    private static readonly Dictionary<string, string> PresignedVerbs = new()
    {
        ["GET"] = "s3:GetObject",
        ["HEAD"] = "s3:GetObject",
        ["PUT"] = "s3:PutObject",
        ["DELETE"] = "s3:DeleteObject",
    };

    /// <summary>Each action the code performs, with the call that performs it.</summary>
    public static IEnumerable<(string Action, string Call)> Of(string code)
    {
        foreach (Match call in MethodCall().Matches(code))
        {
            var method = call.Groups[1].Value;
            if (ByMethod.TryGetValue(method, out var actions))
                foreach (var action in actions) yield return (action, method);
            if (method == "TransactWriteItemsAsync")
                foreach (Match item in NewObject().Matches(code))
                    if (TransactionItems.TryGetValue(item.Groups[1].Value, out var action)) yield return (action,
                        $"{method} (new {item.Groups[1].Value})");
            if (method is "GetPreSignedURL" or "GetPreSignedURLAsync")
            {
                var verbs = Verb().Matches(code).Select(verb => verb.Groups[1].Value).DefaultIfEmpty("GET");
                foreach (var verb in verbs) yield return (PresignedVerbs[verb], $"{method} (HttpVerb.{verb})");
            }
        }
    }

    [GeneratedRegex(@"\.(\w+)\s*\(")]
    private static partial Regex MethodCall();

    [GeneratedRegex(@"\bnew\s+(Put|Update|Delete|ConditionCheck)\b")]
    private static partial Regex NewObject();

    [GeneratedRegex(@"HttpVerb\.(GET|HEAD|PUT|DELETE)\b")]
    private static partial Regex Verb();
}
