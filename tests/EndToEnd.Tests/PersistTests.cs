using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Serverless.Local;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// <c>--persist</c>: a local cloud restarted on the same state folder keeps the user pool and client ids, the users, the
/// tokens they were given and the table's items; one started without it is a clean slate. Each runs its own clouds, in
/// the local cloud's collection so that its fixture has built the packages before they start.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class PersistTests : IDisposable
{
    private readonly string state = Path.Combine(Path.GetTempPath(), "serverless-persist-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_restart_with_persist_signs_in_the_same_user_and_reads_its_data_and_one_without_starts_clean()
    {
        TestUser user = null!;
        Dictionary<string, string> firstOutputs = null!;
        await WithCloudAsync(persist: true, async first =>
        {
            user = await first.NewUserAsync();
            using var patched = await first.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, """{"displayName": "Kept Ada"}""");
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            firstOutputs = ResourceOutputs(first);
        });

        await WithCloudAsync(persist: true, async second =>
        {
            Assert.Equal(firstOutputs, ResourceOutputs(second));
            // The token given before the restart still verifies: same pool, same signing key, same issuer.
            Assert.Equal("Kept Ada", await DisplayNameAsync(second, user.AccessToken));
            var again = await second.SignInAsync(user.Email);
            Assert.Equal(user.Sub, again.Sub);
            Assert.Equal("Kept Ada", await DisplayNameAsync(second, again.AccessToken));
        });

        await WithCloudAsync(persist: false, async clean =>
        {
            var error = await Assert.ThrowsAsync<LocalCloudFixture.CognitoError>(() => clean.CognitoAsync("AdminGetUser",
                new JsonObject { ["UserPoolId"] = clean.Output("UserPoolId"), ["Username"] = user.Email }));
            Assert.Equal("UserNotFoundException", error.Type);
            using var db = clean.CreateDynamoDb();
            Assert.Equal(0, (await db.ScanAsync(new ScanRequest { TableName = clean.Output("TableName") })).Count);
        });
    }

    /// <summary>The outputs that name resources (ids, table, bucket), not the endpoints, whose ports are picked anew.</summary>
    private static Dictionary<string, string> ResourceOutputs(LocalCloudFixture cloud) => cloud.Cloud.Outputs
        .Where(output => !output.Value.StartsWith("http://", StringComparison.Ordinal))
        .ToDictionary();

    private static async Task<string?> DisplayNameAsync(LocalCloudFixture cloud, string accessToken)
    {
        using var response = await cloud.SendAsync(HttpMethod.Get, "/me", accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("displayName").GetString();
    }

    /// <summary>Starts a local cloud on the test's state folder, runs <paramref name="steps"/> on it and stops it.</summary>
    private async Task WithCloudAsync(bool persist, Func<LocalCloudFixture, Task> steps)
    {
        var cloud = new LocalCloudFixture(LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory), watch: false, state, persist);
        await cloud.InitializeAsync();
        try
        {
            await steps(cloud);
        }
        finally
        {
            await cloud.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
    }
}
