using System.Text;
using Serverless.Kernel.Runtime;

namespace Serverless.Kernel.Aws;

/// <summary>
/// The AWS SDKs' recursion detection, for the kernel's own clients: inside Lambda (<c>AWS_LAMBDA_FUNCTION_NAME</c> set), a
/// call carries the invocation's X-Ray trace header as <c>X-Amzn-Trace-Id</c>, percent-encoded as the SDKs do (every UTF-8
/// byte but letters, digits and <c>-=;:+&amp;[]{}"',</c>), unless the request has one already. X-Ray then links the call to
/// the invocation, and Lambda sees a loop of invocations. The header is never signed (<see cref="SigV4"/>): it may be
/// changed on the way. AWSSDK clients (S3, DynamoDB) add it themselves from <c>_X_AMZN_TRACE_ID</c>.
/// </summary>
public static class TraceHeader
{
    public const string Name = "X-Amzn-Trace-Id";

    /// <summary>
    /// Adds the header with the trace of the invocation on this async flow, else <c>_X_AMZN_TRACE_ID</c> (what the bootstrap
    /// set for the last one); nothing outside Lambda or without a trace.
    /// </summary>
    public static void AddTo(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(LambdaContext.FunctionName) || request.Headers.Contains(Name)) return;
        var traceId = LambdaContext.Current?.TraceId ?? Environment.GetEnvironmentVariable(LambdaBootstrap.TraceIdVariable);
        if (!string.IsNullOrEmpty(traceId)) request.Headers.TryAddWithoutValidation(Name, Encode(traceId));
    }

    /// <summary>The header value for a trace id, encoded as the SDKs encode it.</summary>
    public static string Encode(string traceId)
    {
        var encoded = new StringBuilder(traceId.Length);
        foreach (var b in Encoding.UTF8.GetBytes(traceId))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || "-=;:+&[]{}\"',".Contains((char)b)) encoded.Append((char)b);
            else encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }
}
