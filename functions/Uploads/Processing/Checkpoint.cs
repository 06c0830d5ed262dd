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
            ["offset"] = Tally.Number(Position.Offset),
            ["rowsRead"] = Tally.Number(Position.RowsRead),
            ["carryBytes"] = Tally.Number(CarryBytes),
            ["invocations"] = Tally.Number(Invocations),
            ["parts"] = new()
            {
                L = Parts.Select(part =>
                {
                    var entry = new Dictionary<string, AttributeValue> { ["partNumber"] = Tally.Number(part.PartNumber), ["eTag"] = new() { S = part.ETag } };
                    if (part.ChecksumCrc32 is { } crc) entry["checksumCrc32"] = new() { S = crc };
                    return new AttributeValue { M = entry };
                }).ToList(),
            },
        };
        if (Position.CsvTextColumn is { } column) map["csvTextColumn"] = Tally.Number(column);
        if (MultipartUploadId is { } id) map["multipartUploadId"] = new() { S = id };
        return new AttributeValue { M = map };
    }

    public static Checkpoint? From(AttributeValue? attribute)
    {
        if (attribute?.M is not { } map) return null;
        var column = map.GetValueOrDefault("csvTextColumn");
        return new Checkpoint(
            new ReaderPosition(Tally.Long(map["offset"]), Tally.Long(map["rowsRead"]), column is null ? null : (int)Tally.Long(column)),
            map.GetValueOrDefault("multipartUploadId")?.S,
            (map.GetValueOrDefault("parts")?.L ?? []).Select(part => new ResultPart(
                (int)Tally.Long(part.M["partNumber"]), part.M["eTag"].S, part.M.GetValueOrDefault("checksumCrc32")?.S)).ToList(),
            Tally.Long(map.GetValueOrDefault("carryBytes")),
            Tally.FromCheckpoint(map),
            (int)Tally.Long(map.GetValueOrDefault("invocations")));
    }
}
