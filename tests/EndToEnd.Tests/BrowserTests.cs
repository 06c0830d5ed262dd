using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The suite from a real browser, as a web frontend at an allowed origin uses it: every call is the page's own fetch in
/// headless Chromium (so the CORS preflights and their enforcement are the browser's), and the test only reads what the
/// page got. In the local cloud collection so that the shared cloud has built the function packages before this fixture's
/// cloud starts (two builds of one package at once would collide).
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed partial class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "Passw0rd!";

    /// <summary>Signs a new user up, confirms it with the code Cognito delivered and signs in, all from the page.</summary>
    private async Task<(IPage Page, string Email)> SignedInPageAsync()
    {
        var page = await browser.OpenAsync(browser.AllowedOrigin);
        var email = $"browser-{Guid.NewGuid():N}@example.com";

        var signUp = await page.EvaluateAsync<JsonElement>("([email, password]) => app.signUp(email, password)", new[] { email, Password });
        Assert.Equal(200, signUp.GetProperty("status").GetInt32());
        Assert.False(signUp.GetProperty("body").GetProperty("UserConfirmed").GetBoolean());

        var confirm = await page.EvaluateAsync<JsonElement>("([email, code]) => app.confirmSignUp(email, code)", new[] { email,
            await ConfirmationCodeAsync(email) });
        Assert.Equal(200, confirm.GetProperty("status").GetInt32());

        var signIn = await page.EvaluateAsync<JsonElement>("([email, password]) => app.signIn(email, password)", new[] { email, Password });
        Assert.Equal(200, signIn.GetProperty("status").GetInt32());
        Assert.Equal("Bearer", signIn.GetProperty("tokenType").GetString());
        Assert.Equal(3600, signIn.GetProperty("expiresIn").GetInt32());
        return (page, email);
    }

    /// <summary>
    /// The code the Cognito emulator "emailed" to <paramref name="email"/>, as its user reads it: the emulator prints each
    /// delivery as a box whose <c>Destination:</c> line is followed by its <c>Code:</c> line, shortly after it answers.
    /// </summary>
    private async Task<string> ConfirmationCodeAsync(string email)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var lines = browser.Log.Where(line => line.StartsWith("[cognito]", StringComparison.Ordinal)).ToList();
            var destination = lines.FindLastIndex(line => line.Contains($"Destination: {email}", StringComparison.Ordinal));
            var code = destination < 0 ? null : lines.Skip(destination).Select(line => CodeLine().Match(line)).FirstOrDefault(match =>
                match.Success);
            if (code is not null) return code.Groups[1].Value;
            await Task.Delay(100);
        }
        Assert.Fail($"No confirmation code for {email}; log: {string.Join('\n', browser.Log.TakeLast(30))}");
        return "";
    }

    [GeneratedRegex(@"Code:\s+(\d{6})")]
    private static partial Regex CodeLine();

    [Fact]
    public async Task A_page_at_the_allowed_origin_signs_up_signs_in_and_calls_the_API_with_the_access_token()
    {
        var (page, email) = await SignedInPageAsync();

        var me = await page.EvaluateAsync<JsonElement>("() => app.api('GET', '/me')");
        Assert.Equal(200, me.GetProperty("status").GetInt32());
        Assert.Equal("application/json; charset=utf-8", me.GetProperty("contentType").GetString());
        Assert.Equal(email, me.GetProperty("body").GetProperty("email").GetString());

        var prediction = await page.EvaluateAsync<JsonElement>(
            "() => app.api('POST', '/predictions', { texts: ['I love this, it is wonderful!', 'This is terrible and I hate it.'] })");
        Assert.Equal(201, prediction.GetProperty("status").GetInt32());
        Assert.Equal(["POSITIVE", "NEGATIVE"],
            prediction.GetProperty("body").GetProperty("results").EnumerateArray().Select(result => result.GetProperty("label")
                .GetString()));

        var invalid = await page.EvaluateAsync<JsonElement>("() => app.api('POST', '/predictions', { texts: [] })");
        Assert.Equal(400, invalid.GetProperty("status").GetInt32());
        Assert.Equal("application/problem+json", invalid.GetProperty("contentType").GetString());
        Assert.True(invalid.GetProperty("body").GetProperty("errors").TryGetProperty("texts", out _));
    }

    [Fact]
    public async Task A_page_uploads_a_file_straight_to_S3_follows_it_and_downloads_the_result()
    {
        var (page, _) = await SignedInPageAsync();

        var upload = await page.EvaluateAsync<JsonElement>("csv => app.upload('reviews.csv', 'text/csv', csv)", SentimentSample.Csv);

        var created = upload.GetProperty("created");
        Assert.Equal(201, created.GetProperty("status").GetInt32());
        var id = created.GetProperty("body").GetProperty("upload").GetProperty("uploadId").GetString()!;
        Assert.Equal($"/uploads/{id}", created.GetProperty("location").GetString());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(SentimentSample.Csv),
            created.GetProperty("body").GetProperty("upload").GetProperty("size").GetInt32());
        var sent = upload.GetProperty("sent");
        Assert.Equal(200, sent.GetProperty("status").GetInt32());
        Assert.Matches("^\"[0-9a-f]{32}\"$", sent.GetProperty("etag").GetString());

        var ended = await page.EvaluateAsync<JsonElement>(
            "id => app.until(`/uploads/${id}`, upload => ['COMPLETED', 'FAILED'].includes(upload.status))", id);
        var completed = ended.GetProperty("body");
        Assert.Equal("COMPLETED", completed.GetProperty("status").GetString());
        Assert.Equal(SentimentSample.Rows.Length + 1, completed.GetProperty("rowsTotal").GetInt32());
        Assert.Equal(1, completed.GetProperty("rowsFailed").GetInt32());
        Assert.Equal(10, completed.GetProperty("labelCounts").GetProperty("POSITIVE").GetInt32());
        Assert.Equal(7, completed.GetProperty("labelCounts").GetProperty("NEGATIVE").GetInt32());
        Assert.Equal(3, completed.GetProperty("labelCounts").GetProperty("NEUTRAL").GetInt32());

        var results = await page.EvaluateAsync<JsonElement>("id => app.api('GET', `/uploads/${id}/results`)", id);
        Assert.Equal(200, results.GetProperty("status").GetInt32());
        var download = await page.EvaluateAsync<JsonElement>("url => app.download(url)",
            results.GetProperty("body").GetProperty("url").GetString());
        Assert.Equal(200, download.GetProperty("status").GetInt32());
        SentimentSample.AssertResult(download.GetProperty("text").GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_page_cannot_send_its_presigned_PUT_twice_and_reads_S3s_412()
    {
        var (page, _) = await SignedInPageAsync();

        var sent = await page.EvaluateAsync<JsonElement>("""
            async text => {
              const first = await app.upload('once.txt', 'text/plain', text);
              const { method, url, headers } = first.created.body.uploadRequest;
              const again = await app.attempt(() => fetch(url, { method, headers, body: text }));
              return { first: first.sent.status, again };
            }
            """, "I love it\n");

        Assert.Equal(200, sent.GetProperty("first").GetInt32());
        Assert.True(sent.GetProperty("again").GetProperty("readable").GetBoolean(), sent.ToString());
        Assert.Equal(412, sent.GetProperty("again").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_page_past_the_monthly_quota_reads_the_problem_and_when_to_try_again()
    {
        var (page, _) = await SignedInPageAsync();
        var texts = Enumerable.Range(1, 32).Select(i => $"Text number {i} is fine.").ToArray();
        var first = await page.EvaluateAsync<JsonElement>("texts => app.api('POST', '/predictions', { texts })", texts);
        Assert.Equal(201, first.GetProperty("status").GetInt32());

        var usage = await page.EvaluateAsync<JsonElement>("() => app.until('/usage', usage => usage.predictions > 0)");
        Assert.Equal(BrowserFixture.MonthlyTextQuota, usage.GetProperty("body").GetProperty("plan").GetProperty("monthlyTexts").GetInt32());
        Assert.Equal(BrowserFixture.MonthlyTextQuota - 32,
            usage.GetProperty("body").GetProperty("remaining").GetProperty("texts").GetInt32());
        var sent = DateTimeOffset.UtcNow;
        var refused = await page.EvaluateAsync<JsonElement>("texts => app.api('POST', '/predictions', { texts })", texts);
        var answered = DateTimeOffset.UtcNow;

        Assert.Equal(429, refused.GetProperty("status").GetInt32());
        Assert.Equal("application/problem+json", refused.GetProperty("contentType").GetString());
        var resetsAt = usage.GetProperty("body").GetProperty("resetsAt").GetDateTimeOffset();
        var retryAfter = long.Parse(refused.GetProperty("retryAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, (long)Math.Floor((resetsAt - answered).TotalSeconds),
            (long)Math.Ceiling((resetsAt - sent).TotalSeconds) + 1);
    }

    [Fact]
    public async Task A_weak_password_is_an_InvalidPasswordException_the_page_can_read()
    {
        var page = await browser.OpenAsync(browser.AllowedOrigin);

        var signUp = await page.EvaluateAsync<JsonElement>("email => app.signUp(email, 'weak')", $"browser-{Guid.NewGuid():N}@example.com");

        Assert.Equal(400, signUp.GetProperty("status").GetInt32());
        Assert.Equal("InvalidPasswordException", signUp.GetProperty("body").GetProperty("__type").GetString());
        Assert.Equal("InvalidPasswordException", signUp.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task A_page_at_another_origin_may_use_Cognito_but_cannot_read_the_API_which_hands_it_no_CORS_headers()
    {
        var page = await browser.OpenAsync(browser.RefusedOrigin);
        var email = $"browser-{Guid.NewGuid():N}@example.com";
        var signUp = await page.EvaluateAsync<JsonElement>("([email, password]) => app.signUp(email, password)", new[] { email, Password });
        Assert.Equal(200, signUp.GetProperty("status").GetInt32()); // Cognito answers any origin, as on AWS

        var health = await page.EvaluateAsync<JsonElement>("() => app.attempt(() => fetch(config.api + '/health'))");
        var me = await page.EvaluateAsync<JsonElement>(
            "() => app.attempt(() => fetch(config.api + '/me', { headers: { Authorization: 'Bearer not-a-token' } }))");

        Assert.Equal((false, "TypeError: Failed to fetch"), (health.GetProperty("readable").GetBoolean(),
            health.GetProperty("error").GetString()));
        Assert.Equal((false, "TypeError: Failed to fetch"), (me.GetProperty("readable").GetBoolean(), me.GetProperty("error").GetString()));
        // What the browser was refused, seen from outside it: the gateway answers that origin, but with no CORS headers.
        using var http = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, browser.Cloud.Outputs["ApiUrl"] + "/me");
        preflight.Headers.Add("Origin", browser.RefusedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        using var refused = await http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        using var get = new HttpRequestMessage(HttpMethod.Get, browser.Cloud.Outputs["ApiUrl"] + "/health");
        get.Headers.Add("Origin", browser.RefusedOrigin);
        using var answered = await http.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.False(answered.Headers.Contains("Access-Control-Allow-Origin"));
    }

    /// <summary>
    /// A page the developer visits, on any other site, tries what the local cloud's AWS endpoints would obey without
    /// SigV4: reading the user pool and deleting a user through the Cognito front, and a cross-site <c>text/plain</c>
    /// POST (no preflight) to the Invoke API with a forged event. It reads nothing, and nothing happens.
    /// </summary>
    [Fact]
    public async Task A_page_from_another_site_cannot_drive_the_Invoke_API_or_Cognito_admin_operations()
    {
        var page = await browser.OpenAsync(browser.RefusedOrigin);
        var email = $"browser-{Guid.NewGuid():N}@example.com";
        var signUp = await page.EvaluateAsync<JsonElement>("([email, password]) => app.signUp(email, password)", new[] { email, Password });
        Assert.Equal(200, signUp.GetProperty("status").GetInt32());
        var victim = Guid.NewGuid().ToString();
        var forged = $$$"""
            {"version":"1","region":"us-east-1","userPoolId":"{{{browser.Cloud.Outputs["UserPoolId"]}}}","userName":"{{{victim}}}",
             "triggerSource":"PostConfirmation_ConfirmSignUp",
             "callerContext":{"clientId":"{{{browser.Cloud.Outputs["UserPoolClientId"]}}}"},
             "request":{"userAttributes":{"sub":"{{{victim}}}","email":"planted@example.com"}},"response":{}}
            """;
        const string admin = """
            ([cognito, action, body]) => app.attempt(() => fetch(cognito, { method: 'POST', body: JSON.stringify(body),
              headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}` } }))
            """;
        var pool = browser.Cloud.Outputs["UserPoolId"];

        var list = await page.EvaluateAsync<JsonElement>(admin, new object[] { browser.Cloud.Outputs["CognitoEndpoint"], "ListUsers",
            new { UserPoolId = pool } });
        var delete = await page.EvaluateAsync<JsonElement>(admin,
            new object[] { browser.Cloud.Outputs["CognitoEndpoint"], "AdminDeleteUser", new { UserPoolId = pool, Username = email } });
        // An opaque answer either way: the fetch settles once the Invoke API has answered, i.e. after any invocation ran.
        await page.EvaluateAsync(
            "([url, body]) => fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body })",
            new[] { $"{browser.Cloud.Outputs["LambdaEndpoint"]}/2015-03-31/functions/CreateProfileFunction/invocations", forged });

        Assert.False(list.GetProperty("readable").GetBoolean(), list.ToString());
        Assert.False(delete.GetProperty("readable").GetBoolean(), delete.ToString());
        using var http = new HttpClient();
        using var getUser = new HttpRequestMessage(HttpMethod.Post, browser.Cloud.Outputs["CognitoEndpoint"])
        {
            Content = new StringContent($$"""{"UserPoolId":"{{pool}}","Username":"{{email}}"}""", System.Text.Encoding.UTF8,
                "application/x-amz-json-1.1"),
        };
        getUser.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser");
        using var user = await http.SendAsync(await getUser.SignedAsync("cognito-idp"));
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        using var db = LocalClients.DynamoDb(browser.Cloud.Outputs["DynamoDbEndpoint"]);
        var planted = await db.QueryAsync(new Amazon.DynamoDBv2.Model.QueryRequest
        {
            TableName = browser.Cloud.Outputs["TableName"],
            KeyConditionExpression = "PK = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new() { S = $"USER#{victim}" } },
            ConsistentRead = true,
        });
        Assert.Empty(planted.Items);
    }
}
