using System.Globalization;
using System.Text.Json;

namespace Serverless.Local.Lambda;

/// <summary>
/// Lambda refused an invocation before any instance saw it: the Invoke API answers <see cref="Status"/> with
/// <c>x-amzn-ErrorType: </c><see cref="ErrorType"/> and <see cref="Body"/>. API Gateway turns any such refusal into a 500
/// (<see cref="Gateway.HttpApiGateway"/>); the asynchronous queue and the stream event sources retry a throttle.
/// </summary>
public sealed class InvocationRefusedException : Exception
{
    private InvocationRefusedException(int status, string errorType, string message, Dictionary<string, string> body)
        : base(message)
    {
        Status = status;
        ErrorType = errorType;
        Body = JsonSerializer.SerializeToUtf8Bytes(body);
    }

    public int Status { get; }
    public string ErrorType { get; }
    public byte[] Body { get; }

    /// <summary>A throttle (429), which Lambda's own callers retry rather than count as a failure.</summary>
    public bool IsThrottle => Status == 429;

    /// <summary>
    /// Lambda's throttle: 429 <c>TooManyRequestsException</c>, <c>{"Reason":…,"Type":"User","message":"Rate Exceeded."}</c>,
    /// the reason naming the function's reservation or the account's unreserved pool.
    /// </summary>
    public static InvocationRefusedException Throttled(string reason) => new(429, "TooManyRequestsException", "Rate Exceeded.",
        new() { ["Reason"] = reason, ["Type"] = "User", ["message"] = "Rate Exceeded." });

    /// <summary>
    /// A request payload over <see cref="PayloadLimits"/>: 413 <c>RequestEntityTooLargeException</c>. Lambda's front door
    /// refuses a body over 6 MB whatever the invocation type; the service refuses an asynchronous one over 1 MB, in its own words.
    /// </summary>
    public static InvocationRefusedException TooLarge(int length, bool asynchronous)
    {
        if (length > PayloadLimits.Synchronous || !asynchronous)
        {
            var message = string.Create(CultureInfo.InvariantCulture,
                $"Request must be smaller than {PayloadLimits.Synchronous} bytes for the InvokeFunction operation");
            return new(413, "RequestEntityTooLargeException", message, new() { ["Message"] = message });
        }
        var tooLarge = string.Create(CultureInfo.InvariantCulture,
            $"{length} byte payload is too large for the Event invocation type (limit {PayloadLimits.Asynchronous} bytes)");
        return new(413, "RequestEntityTooLargeException", tooLarge, new() { ["Type"] = "User", ["message"] = tooLarge });
    }
}

/// <summary>Lambda's invocation payload quotas (1 MB = 2²⁰ bytes, as Lambda counts them).</summary>
public static class PayloadLimits
{
    /// <summary>A synchronous invocation's request: 6 MB.</summary>
    public const int Synchronous = 6 * 1024 * 1024;

    /// <summary>An asynchronous invocation's request: 1 MB (256 KB until 2025).</summary>
    public const int Asynchronous = 1024 * 1024;

    /// <summary>A function's response: 6 MB and the 100 bytes Lambda's Runtime API allows beyond it (6291556 bytes).</summary>
    public const int Response = Synchronous + 100;

    /// <summary>Refuses a request payload over the invocation type's quota (<see cref="InvocationRefusedException.TooLarge"/>).</summary>
    public static void CheckRequest(int length, bool asynchronous)
    {
        if (length > (asynchronous ? Asynchronous : Synchronous)) throw InvocationRefusedException.TooLarge(length, asynchronous);
    }
}
