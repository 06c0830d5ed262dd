using Amazon.DynamoDBv2.Model;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Parsing;
using Serverless.Uploads.Results;

namespace Serverless.Uploads.Processing;

/// <summary>
/// Where a continuing invocation resumes, kept in the upload item's <c>checkpoint</c> map: the reader's position, the
/// result as far as it was written (<see cref="CarriedResult"/>, whose number counts the invocations that came before: 1,
/// 2, …), and the tally up to the position (counts and the first failed row's reason).
/// </summary>
public sealed record Checkpoint(ReaderPosition Position, CarriedResult Result, Tally Tally)
{
    public AttributeValue ToAttribute()
    {
        var map = new Dictionary<string, AttributeValue>(Tally.ToCheckpointAttributes())
        {
            ["offset"] = NumberAttribute.Of(Position.Offset),
            ["rowsRead"] = NumberAttribute.Of(Position.RowsRead),
            ["carryBytes"] = NumberAttribute.Of(Result.CarryBytes),
            ["invocations"] = NumberAttribute.Of(Result.Number),
            ["parts"] = new() { L = Result.Parts.Select(PartAttribute).ToList() },
        };
        if (Position.CsvTextColumn is { } column) map["csvTextColumn"] = NumberAttribute.Of(column);
        if (Result.MultipartUploadId is { } id) map["multipartUploadId"] = new() { S = id };
        return new AttributeValue { M = map };
    }

    public static Checkpoint? From(AttributeValue? attribute)
    {
        if (attribute?.M is not { } map) return null;
        var column = map.GetValueOrDefault("csvTextColumn");
        var position = new ReaderPosition(NumberAttribute.Read(map["offset"]), NumberAttribute.Read(map["rowsRead"]),
            column is null ? null : (int)NumberAttribute.Read(column));
        var result = new CarriedResult(
            (int)NumberAttribute.Read(map.GetValueOrDefault("invocations")),
            map.GetValueOrDefault("multipartUploadId")?.S,
            (map.GetValueOrDefault("parts")?.L ?? []).Select(part => new ResultPart(
                (int)NumberAttribute.Read(part.M["partNumber"]), part.M["eTag"].S, part.M.GetValueOrDefault("checksumCrc32")?.S)).ToList(),
            NumberAttribute.Read(map.GetValueOrDefault("carryBytes")));
        return new Checkpoint(position, result, Tally.From(map));
    }

    private static AttributeValue PartAttribute(ResultPart part)
    {
        var entry = new Dictionary<string, AttributeValue>
        {
            ["partNumber"] = NumberAttribute.Of(part.PartNumber),
            ["eTag"] = new() { S = part.ETag },
        };
        if (part.ChecksumCrc32 is { } crc) entry["checksumCrc32"] = new() { S = crc };
        return new AttributeValue { M = entry };
    }
}
