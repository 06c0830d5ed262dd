using System.Text.Json.Nodes;

namespace Serverless.Local.Streams;

/// <summary>
/// One event source mapping from a function's <c>Type: DynamoDB</c> event, resolved, with Lambda's defaults for
/// what the template leaves out (batch size 100, no batching window, retries and record age unlimited).
/// </summary>
public sealed record StreamEventSource(
    string FunctionName,
    string FunctionArn,
    string StreamArn,
    string StartingPosition,
    int BatchSize,
    TimeSpan BatchingWindow,
    EventFilter Filter,
    bool ReportBatchItemFailures,
    bool BisectBatchOnFunctionError,
    int MaximumRetryAttempts,
    TimeSpan? MaximumRecordAge,
    string? OnFailureDestination)
{
    /// <summary>Reads an event's resolved <c>Properties</c>.</summary>
    public static StreamEventSource From(string functionName, string functionArn, JsonObject properties)
    {
        var startingPosition = properties["StartingPosition"]?.GetValue<string>() ?? "";
        if (startingPosition is not ("TRIM_HORIZON" or "LATEST"))
            throw new InvalidDataException(
                $"{functionName}: a DynamoDB event needs StartingPosition TRIM_HORIZON or LATEST, not '{startingPosition}'.");
        var maximumRecordAge = Number(properties, "MaximumRecordAgeInSeconds") ?? -1;
        return new StreamEventSource(
            functionName,
            functionArn,
            properties["Stream"]?.GetValue<string>() ?? throw new InvalidDataException($"{functionName}: a DynamoDB event needs a Stream."),
            startingPosition,
            Number(properties, "BatchSize") ?? 100,
            TimeSpan.FromSeconds(Number(properties, "MaximumBatchingWindowInSeconds") ?? 0),
            EventFilter.From(properties["FilterCriteria"]),
            properties["FunctionResponseTypes"]?.AsArray().Any(type => type?.GetValue<string>() == "ReportBatchItemFailures") == true,
            properties["BisectBatchOnFunctionError"]?.GetValue<bool>() == true,
            Number(properties, "MaximumRetryAttempts") ?? -1,
            maximumRecordAge < 0 ? null : TimeSpan.FromSeconds(maximumRecordAge),
            properties["DestinationConfig"]?["OnFailure"]?["Destination"]?.GetValue<string>());
    }

    /// <summary>Numbers may come as YAML numbers or, resolved from a parameter, as strings.</summary>
    private static int? Number(JsonObject properties, string name) =>
        properties[name] is { } value ? int.Parse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture) : null;
}
