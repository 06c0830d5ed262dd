using System.Security.Cryptography;

namespace Serverless.Local.Telemetry;

/// <summary>
/// An X-Ray trace header, <c>Root=1-{epoch seconds, 8 hex}-{24 hex};Parent={16 hex};Sampled=1</c>, as Lambda passes it to a
/// function in the Runtime API's <c>Lambda-Runtime-Trace-Id</c> (and <c>_X_AMZN_TRACE_ID</c>). A caller's
/// <c>X-Amzn-Trace-Id</c> keeps its <see cref="Root"/> and its sampling decision; Lambda's own segment for the invocation
/// (here the invocation's span) becomes the function's <see cref="Parent"/>.
/// </summary>
public sealed record XRayTraceHeader(string Root, string? Parent, bool Sampled)
{
    /// <summary>A new trace, sampled, as Lambda starts one for an invocation that came without a header.</summary>
    public static XRayTraceHeader New(DateTimeOffset now) =>
        new($"1-{now.ToUnixTimeSeconds():x8}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}", null, true);

    /// <summary>The header a caller sent, or null when it names no valid <c>Root</c>; fields other than Root, Parent and
    /// Sampled (Lineage, Self) are not kept.</summary>
    public static XRayTraceHeader? Parse(string? header)
    {
        string? root = null, parent = null;
        var sampled = true;
        // The AWS SDKs percent-encode the header (Serverless.Kernel.Aws.TraceHeader.Encode).
        foreach (var field in Uri.UnescapeDataString(header ?? "").Split(';',
            StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = field.IndexOf('=') is var equals and > 0 ? (field[..equals], field[(equals + 1)..]) : (field, "");
            switch (key)
            {
                case "Root" when IsRoot(value):
                    root = value.ToLowerInvariant();
                    break;
                case "Parent" when value.Length == 16 && IsHex(value):
                    parent = value.ToLowerInvariant();
                    break;
                case "Sampled":
                    sampled = value != "0";
                    break;
            }
        }
        return root is null ? null : new XRayTraceHeader(root, parent, sampled);
    }

    /// <summary>The header the function gets: the same trace, with a new span (the invocation's) as its parent.</summary>
    public XRayTraceHeader ForInvocation() => this with { Parent = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) };

    /// <summary>The root as an OpenTelemetry (W3C) trace id: its 32 hex digits without the version and dashes.</summary>
    public string TraceId => string.Concat(Root.AsSpan(2, 8), Root.AsSpan(11));

    public override string ToString() =>
        Parent is null ? $"Root={Root};Sampled={(Sampled ? 1 : 0)}" : $"Root={Root};Parent={Parent};Sampled={(Sampled ? 1 : 0)}";

    /// <summary><c>1-{8 hex}-{24 hex}</c>.</summary>
    private static bool IsRoot(string value) =>
        value.Length == 35 && value.StartsWith("1-", StringComparison.Ordinal) && value[10] == '-'
            && IsHex(value.AsSpan(2, 8)) && IsHex(value.AsSpan(11));

    private static bool IsHex(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
