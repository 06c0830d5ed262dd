using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Emulators;
using Serverless.Local.Lambda;

namespace Serverless.Local.S3;

/// <summary>
/// The S3 event notification message a subscribed function receives: one record in S3's event structure
/// version 2.1, the object key form-encoded as S3 sends it, no <c>size</c> or <c>eTag</c> for a removal.
/// </summary>
public static class S3EventMessage
{
    /// <summary>Who causes every change locally (any credentials are accepted) and who owns every bucket.</summary>
    public const string PrincipalId = $"AWS:{LocalAccount.AccessKeyId}";
    public const string OwnerPrincipalId = "A3LOCALBUCKETOWNER";

    /// <summary>Writes characters as S3 does (a <c>+</c> in a key stays <c>+</c>, not <c>\u002B</c>).</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Build(S3ObjectEvent change, string configurationId, string sequencer)
    {
        var item = new JsonObject { ["key"] = EncodeKey(change.Key) };
        if (change.Size is { } size) item["size"] = size;
        if (change.ETag is { } eTag) item["eTag"] = eTag;
        item["sequencer"] = sequencer;
        var record = new JsonObject
        {
            ["eventVersion"] = "2.1",
            ["eventSource"] = "aws:s3",
            ["awsRegion"] = LocalAccount.Region,
            ["eventTime"] = change.EventTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["eventName"] = change.EventName,
            ["userIdentity"] = new JsonObject { ["principalId"] = PrincipalId },
            ["requestParameters"] = new JsonObject { ["sourceIPAddress"] = change.SourceIp },
            ["responseElements"] = new JsonObject
            {
                ["x-amz-request-id"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
                ["x-amz-id-2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(57)),
            },
            ["s3"] = new JsonObject
            {
                ["s3SchemaVersion"] = "1.0",
                ["configurationId"] = configurationId,
                ["bucket"] = new JsonObject
                {
                    ["name"] = change.Bucket,
                    ["ownerIdentity"] = new JsonObject { ["principalId"] = OwnerPrincipalId },
                    ["arn"] = $"arn:aws:s3:::{change.Bucket}",
                },
                ["object"] = item,
            },
        };
        return new JsonObject { ["Records"] = new JsonArray(record) };
    }

    /// <summary>
    /// A key as S3 writes it in an event (<c>application/x-www-form-urlencoded</c>, UTF-8): letters, digits,
    /// <c>- _ . *</c> and the <c>/</c> separator stay, a space becomes <c>+</c>, every other byte <c>%XX</c>.
    /// </summary>
    public static string EncodeKey(string key)
    {
        var encoded = new StringBuilder(key.Length);
        foreach (var value in Encoding.UTF8.GetBytes(key))
        {
            var character = (char)value;
            if (char.IsAsciiLetterOrDigit(character) || character is '-' or '_' or '.' or '*' or '/') encoded.Append(character);
            else if (character == ' ') encoded.Append('+');
            else encoded.Append('%').Append(value.ToString("X2", CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }
}
