using Serverless.ServiceDefaults;
using Amazon.DynamoDBv2.Model;
using Serverless.Uploads.Parsing;

namespace Serverless.Uploads.Processing;

/// <summary>One part of the result's multipart upload: what CompleteMultipartUpload needs of it.</summary>
public sealed record ResultPart(int PartNumber, string ETag, string? ChecksumCrc32);

/// <summary>
/// Where a continuing invocation resumes, kept in the upload item's <c>checkpoint</c> map: the reader's position, the
/// result's multipart upload and its parts so far, the size of the carried result bytes (<see cref="UploadItem.CarryKey"/>
/// of this checkpoint's number), the tally up to the position (counts and the first failed row's reason), and how many
/// invocations came before (which numbers the checkpoint: 1, 2, …).
/// </summary>
public sealed record Checkpoint(
    ReaderPosition Position, string? MultipartUploadId, IReadOnlyList<ResultPart> Parts, long CarryBytes, Tally Tally, int Invocations)
{
    public AttributeValue ToAttribute()
    {
        var map = new Dictionary<string, AttributeValue>(Tally.ToCheckpointAttributes())
        {
            ["offset"] = NumberAttribute.Of(Position.Offset),
            ["rowsRead"] = NumberAttribute.Of(Position.RowsRead),
            ["carryBytes"] = NumberAttribute.Of(CarryBytes),
            ["invocations"] = NumberAttribute.Of(Invocations),
            ["parts"] = new()
            {
                L = Parts.Select(part =>
                {
                    var entry = new Dictionary<string, AttributeValue> { ["partNumber"] = NumberAttribute.Of(part.PartNumber), ["eTag"] = new() { S = part.ETag } };
                    if (part.ChecksumCrc32 is { } crc) entry["checksumCrc32"] = new() { S = crc };
                    return new AttributeValue { M = entry };
                }).ToList(),
            },
        };
        if (Position.CsvTextColumn is { } column) map["csvTextColumn"] = NumberAttribute.Of(column);
        if (MultipartUploadId is { } id) map["multipartUploadId"] = new() { S = id };
        return new AttributeValue { M = map };
    }

    public static Checkpoint? From(AttributeValue? attribute)
    {
        if (attribute?.M is not { } map) return null;
        var column = map.GetValueOrDefault("csvTextColumn");
        return new Checkpoint(
            new ReaderPosition(NumberAttribute.Read(map["offset"]), NumberAttribute.Read(map["rowsRead"]), column is null ? null : (int)NumberAttribute.Read(column)),
            map.GetValueOrDefault("multipartUploadId")?.S,
            (map.GetValueOrDefault("parts")?.L ?? []).Select(part => new ResultPart(
                (int)NumberAttribute.Read(part.M["partNumber"]), part.M["eTag"].S, part.M.GetValueOrDefault("checksumCrc32")?.S)).ToList(),
            NumberAttribute.Read(map.GetValueOrDefault("carryBytes")),
            Tally.From(map),
            (int)NumberAttribute.Read(map.GetValueOrDefault("invocations")));
    }
}
