using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Processing;

/// <summary>
/// The upload an invocation processes: its item as claimed or taken over, and the claim token this invocation holds it
/// under (<see cref="ProcessingStore.ClaimAsync"/>).
/// </summary>
public sealed record ClaimedUpload(string UserSub, string UploadId, Dictionary<string, AttributeValue> Item, string Claim)
{
    /// <summary>The month whose quota the upload's claim chose: its reservations and its settlement go there.</summary>
    public string UsageMonth => Item[UploadAttribute.UsageMonth].S;

    public string ResultKey => UploadItem.ResultKey(UserSub, UploadId);

    public string CarryKey(int checkpoint) => UploadItem.CarryKey(UserSub, UploadId, checkpoint);

    /// <summary>The object the claim named: its key, its ETag and the declared size (which the claim checked it has).</summary>
    public UploadObject Object => new(
        Item[UploadAttribute.ObjectKey].S, Item[UploadAttribute.ObjectETag].S, NumberAttribute.Read(Item[UploadAttribute.DeclaredSize]));

    /// <summary>The reader's format for the item's <c>format</c>; an <see cref="UploadFormatException"/> for any other value.</summary>
    public UploadFormat ReadFormat() => Item.GetValueOrDefault(UploadAttribute.Format)?.S switch
    {
        UploadFormats.Csv => UploadFormat.Csv,
        UploadFormats.JsonLines => UploadFormat.JsonLines,
        UploadFormats.Text => UploadFormat.Text,
        var other => throw new UploadFormatException($"The upload's format '{other}' is not csv, jsonl or text."),
    };
}
