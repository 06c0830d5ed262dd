using Serverless.Kernel.AspNetCore;

namespace Serverless.Kernel.Tests.AspNetCore;

public class HttpApiBodyTests
{
    [Theory]
    [InlineData("application/json", null, true)]
    [InlineData("application/json; charset=utf-8", null, true)]
    [InlineData("Application/JSON", null, true)]
    [InlineData("application/problem+json", null, true)]
    [InlineData("application/xml", null, true)]
    [InlineData("image/svg+xml", null, true)]
    [InlineData("application/javascript", null, true)]
    [InlineData("text/plain", null, true)]
    [InlineData("text/html; charset=utf-8", null, true)]
    [InlineData("text/csv", "", true)]
    [InlineData("application/json", "gzip", false)]
    [InlineData("text/plain", "br", false)]
    [InlineData("application/octet-stream", null, false)]
    [InlineData("application/x-www-form-urlencoded", null, false)]
    [InlineData("multipart/form-data; boundary=x", null, false)]
    [InlineData("image/png", null, false)]
    [InlineData("application/jsonl", null, false)]
    [InlineData("", null, false)]
    [InlineData(null, null, false)]
    public void Text_types_go_as_text_everything_else_base64(string? contentType, string? contentEncoding, bool isText) =>
        Assert.Equal(isText, HttpApiBody.IsText(contentType, contentEncoding));
}
