using System.Net;
using System.Text.Json;
using Xunit;

namespace Serverless.TestUtilities;

/// <summary>What every error answer of the APIs is: a problem document with its status and request id, nothing of .NET.</summary>
public static class Problems
{
    /// <summary>The response's problem document, once checked to have <paramref name="status"/> and the shared shape.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"System\.|Exception|\.cs:line|Serverless\.", body);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("requestId").GetString()));
        return problem;
    }

    /// <summary>A 400's errors, by field, once checked to be a validation problem.</summary>
    public static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        var problem = await ReadAsync(response, HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
