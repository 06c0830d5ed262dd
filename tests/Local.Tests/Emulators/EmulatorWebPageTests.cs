using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Serverless.Local.Emulators;
using Xunit.Abstractions;

namespace Serverless.Local.Tests.Emulators;

/// <summary>
/// The emulators behind the fronts listen on loopback ports of their own, which a web page can find by trying: each
/// refuses what carries an <c>Origin</c> (every cross-site POST does; the fronts never send one), so a page cannot skip a
/// front, e.g. to have s3rver take a form upload whose key climbs out of its folder, or cognito-local an admin call.
/// </summary>
[Collection(CognitoLocalTestBase.Collection)]
public sealed class EmulatorWebPageTests(ITestOutputHelper log) : CognitoLocalTestBase(log)
{
    private const string Page = "https://evil.example";

    [Fact]
    public async Task The_S3_emulator_refuses_a_web_pages_form_upload_and_bucket()
    {
        var data = EmulatorTestPaths.NewScratchDirectory("s3");
        var marker = $"escape-{Guid.NewGuid():N}";
        await using (var s3 = await S3Local.StartAsync(Installer, data, output: line => Log.WriteLine(line)))
        {
            using (var client = LocalClients.S3(s3.Endpoint)) await client.PutBucketAsync("bucket");
            using var http = new HttpClient();
            using var form = new MultipartFormDataContent
            {
                { new StringContent($"../../{marker}.txt"), "key" },
                { new StringContent("outside"), "file", "x.txt" },
            };
            using var post = new HttpRequestMessage(HttpMethod.Post, $"{s3.Endpoint}/bucket") { Content = form };
            post.Headers.Add("Origin", Page);
            using var put = new HttpRequestMessage(HttpMethod.Put, $"{s3.Endpoint}/planted") { Content = new StringContent("") };
            put.Headers.Add("Origin", Page);

            using var posted = await http.SendAsync(post);
            using var created = await http.SendAsync(put);

            Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, created.StatusCode);
            using var lister = LocalClients.S3(s3.Endpoint);
            Assert.Equal(["bucket"], (await lister.ListBucketsAsync()).Buckets.Select(bucket => bucket.BucketName));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(data)!, $"*{marker}*"));
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task The_Cognito_emulator_refuses_a_web_pages_calls_but_serves_its_keys()
    {
        await using var cognito = await CognitoLocal.StartAsync(Installer, EmulatorTestPaths.NewScratchDirectory("cognito"));
        var pool = await cognito.CreateUserPoolAsync("pool");
        using var http = new HttpClient();
        using var call = new HttpRequestMessage(HttpMethod.Post, cognito.Endpoint)
        {
            Content = new StringContent($$"""{"UserPoolId":"{{pool}}"}""", Encoding.UTF8,
                new MediaTypeHeaderValue("application/x-amz-json-1.1")),
        };
        call.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUsers");
        call.Headers.Add("Origin", Page);
        using var keys = new HttpRequestMessage(HttpMethod.Get, cognito.JwksUri(pool));
        keys.Headers.Add("Origin", Page);

        using var refused = await http.SendAsync(call);
        using var served = await http.SendAsync(keys);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }
}
