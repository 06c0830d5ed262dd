using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Local;
using Serverless.TestUtilities;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// <c>--watch</c> on a copy of the repository: an endpoint's source is edited while the local cloud runs from fast builds, and the
/// API gives the new answer without a restart; the user signed in before keeps their token and their profile. An edit that does
/// not compile leaves that code serving and prints the compiler's errors.
/// </summary>
public sealed class WatchTests
{
    private const string Before = "Send at least one of displayName, locale.";
    private const string After = "Send a displayName, a locale or both.";

    [Fact]
    public async Task An_edited_endpoint_gives_its_new_answer_and_the_signed_in_user_keeps_token_and_data()
    {
        var repo = LocalCloudOptions.FindRepoRoot(AppContext.BaseDirectory);
        var copy = Path.Combine(Path.GetTempPath(), "serverless-watch-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            RepositoryCopy.Create(repo, copy);
            // The emulators are installed once, for every local cloud of this machine.
            Directory.CreateDirectory(Path.Combine(repo, ".local", "emulators"));
            Directory.CreateDirectory(Path.Combine(copy, ".local"));
            Directory.CreateSymbolicLink(Path.Combine(copy, ".local", "emulators"), Path.Combine(repo, ".local", "emulators"));
            var cloud = new LocalCloudFixture(copy, watch: true);
            await cloud.InitializeAsync();
            try
            {
                var user = await cloud.NewUserAsync();
                using (var named = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, """{"displayName":"Watcher"}"""))
                    Assert.Equal(HttpStatusCode.OK, named.StatusCode);
                Assert.Contains(Before, await EmptyPatchAsync(cloud, user));

                var patchMe = Path.Combine(copy, "functions", "Profile", "RESTful", "PatchMe.cs");
                var source = await File.ReadAllTextAsync(patchMe);
                await File.WriteAllTextAsync(patchMe, source.Replace(Before, After, StringComparison.Ordinal));
                var waited = Stopwatch.StartNew();
                while (!(await EmptyPatchAsync(cloud, user)).Contains(After, StringComparison.Ordinal))
                {
                    Assert.True(waited.Elapsed < TimeSpan.FromMinutes(5),
                        $"No new answer after the edit; log: {string.Join('\n', cloud.Log.TakeLast(40))}");
                    await Task.Delay(200);
                }
                Assert.Contains(cloud.Log, line => line.StartsWith(
                    "[watch] functions/Profile/RESTful/PatchMe.cs changed: rebuilt functions/Profile in ", StringComparison.Ordinal));

                await File.AppendAllTextAsync(patchMe, "this is not C#\n");
                await cloud.LogLineAsync(line => line.StartsWith("[watch] functions/Profile/RESTful/PatchMe.cs changed: the build failed",
                    StringComparison.Ordinal), "saying the build failed");
                Assert.Contains(cloud.Log, line => line.Contains("PatchMe.cs", StringComparison.Ordinal)
                    && line.Contains(": error CS", StringComparison.Ordinal));
                Assert.Contains(After, await EmptyPatchAsync(cloud, user));

                using var me = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
                var profile = await me.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("Watcher", profile.GetProperty("displayName").GetString());
                Assert.Equal(user.Email, profile.GetProperty("email").GetString());
            }
            finally
            {
                await cloud.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary><c>PATCH /me</c> with nothing to change: a validation problem whose message the test edits.</summary>
    private static async Task<string> EmptyPatchAsync(LocalCloudFixture cloud, TestUser user)
    {
        using var response = await cloud.SendAsync(HttpMethod.Patch, "/me", user.AccessToken, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
