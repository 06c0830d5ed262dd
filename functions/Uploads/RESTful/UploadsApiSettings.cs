using System.Globalization;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads;

/// <summary>The Uploads API's configuration, read once when it starts: <c>BUCKET_NAME</c> and <c>MAX_UPLOAD_BYTES</c>.</summary>
public sealed record UploadsApiSettings(string Bucket, long MaxUploadBytes)
{
    public static UploadsApiSettings FromEnvironment() => new(
        FunctionEnvironment.Required("BUCKET_NAME"),
        long.Parse(FunctionEnvironment.Required("MAX_UPLOAD_BYTES"), CultureInfo.InvariantCulture));
}
