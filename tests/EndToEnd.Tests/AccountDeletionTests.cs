using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3.Model;
using Serverless.Kernel.Aws;
using Serverless.Local;
using Serverless.Local.Lambda;
using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.TestUtilities;
using Serverless.Uploads;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// <c>DELETE /me</c> through the local cloud: the account is refused at once (410 on every API, no refresh, no sign-in),
/// then everything it owns goes (items, files, the Cognito user) whatever its size and whatever was running, and nothing
/// written afterwards brings any of it back. Waits are on the asserted state, with limits for two loaded cores.
/// </summary>
[Collection(LocalCloudCollection.Name)]
public sealed class AccountDeletionTests(LocalCloudFixture cloud, ITestOutputHelper output)
{
    private const string Password = "Passw0rd!";

    [Fact]
    public async Task After_DELETE_me_the_tokens_are_refused_at_once_and_everything_the_user_owned_goes()
    {
        var user = await cloud.NewUserAsync();
        var refreshToken = await RefreshTokenAsync(user);
        using (var prediction = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, """{"texts": ["I love it"]}"""))
            Assert.Equal(HttpStatusCode.Created, prediction.StatusCode);
        var id = await UploadAsync(user, "text\nI love this product!\nThe box was broken.\n");
        Assert.Equal(UploadStatus.Completed, (await cloud.UploadEndedAsync(user, id)).GetProperty("status").GetString());
        Assert.NotEmpty(await ObjectsAsync(user));

        using var deleted = await cloud.SendAsync(HttpMethod.Delete, "/me", user.AccessToken);
        using var predict = await cloud.SendAsync(HttpMethod.Post, "/predictions", user.AccessToken, """{"texts": ["still here?"]}""");
        using var uploads = await cloud.SendAsync(HttpMethod.Get, "/uploads", user.AccessToken);
        using var me = await cloud.SendAsync(HttpMethod.Get, "/me", user.AccessToken);
        using var again = await cloud.SendAsync(HttpMethod.Delete, "/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        var status = await deleted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AccountDeletions.Deleting, status.GetProperty("status").GetString());
        foreach (var refused in new[] { predict, uploads, me })
        {
            Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(problem.GetProperty("accountStatus").GetString(), new[] { AccountDeletions.Deleting,
                AccountDeletions.Deleted });
            Assert.Equal(status.GetProperty("requestedAt").GetString(), problem.GetProperty("deletionRequestedAt").GetString());
        }
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var refresh = await Assert.ThrowsAsync<LocalCloudFixture.CognitoError>(() => cloud.CognitoAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = cloud.Output("UserPoolClientId"),
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = refreshToken },
        }));
        Assert.Equal("NotAuthorizedException", refresh.Type);
        var signIn = await Assert.ThrowsAsync<LocalCloudFixture.CognitoError>(() => SignInAsync(user));
        // Disabled until the purge deletes the user; the emulator then answers as for any unknown user.
        Assert.Contains(signIn.Type, new[] { "NotAuthorizedException", "UserNotFoundException" });

        await PurgedAsync(user);
        Assert.Empty(await ObjectsAsync(user));
        var gone = await Assert.ThrowsAsync<LocalCloudFixture.CognitoError>(() => cloud.CognitoAsync("AdminGetUser",
            new JsonObject { ["UserPoolId"] = cloud.Output("UserPoolId"), ["Username"] = user.Email }));
        Assert.Equal("UserNotFoundException", gone.Type);

        // A prediction's stream record that reaches MeterUsage after the purge meters nothing back into the partition.
        var record = Encoding.UTF8.GetString(EventFile.Read("events/MeterUsageFunction/stream-new-prediction.json"))
            .Replace("11111111-2222-3333-4444-555555555555", user.Sub);
        await LambdaClient().InvokeEventAsync("MeterUsageFunction", Encoding.UTF8.GetBytes(record), CancellationToken.None);
        await cloud.LogLineAsync(line => line.Contains($"{UsageLedger.PredictionSource("01a226bad3cd7c1cbc4ade01386690a0")} of {user.Sub}",
            StringComparison.Ordinal), "MeterUsage reading the late record");
        Assert.Equal([AccountDeletions.SortKey], await SortKeysAsync(user));
    }

    [Fact]
    public async Task A_user_with_100_000_items_is_purged_to_the_end()
    {
        var user = await cloud.NewUserAsync();
        using var db = cloud.CreateDynamoDb();
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        var batches = Enumerable.Range(0, 100_000).Chunk(25);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, token) =>
        {
            var pending = new Dictionary<string, List<WriteRequest>>
            {
                [cloud.Output("TableName")] = batch.Select(n => new WriteRequest(new PutRequest(new Dictionary<string, AttributeValue>
                {
                    [Table.PartitionKey] = new() { S = Table.UserPartition(user.Sub) },
                    [Table.SortKey] = new() { S = $"NOTE#{n:D6}" },
                    ["text"] = new() { S = "a note the user kept" },
                }))).ToList(),
            };
            while (pending.Count > 0)
                pending = (await db.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending },
                    token)).UnprocessedItems ?? [];
        });

        output.WriteLine($"seeded 100,000 items in {seeding.Elapsed.TotalSeconds:0.0} s");
        var purging = System.Diagnostics.Stopwatch.StartNew();

        using var deleted = await cloud.SendAsync(HttpMethod.Delete, "/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        await PurgedAsync(user, TimeSpan.FromMinutes(15));
        output.WriteLine($"purged in {purging.Elapsed.TotalSeconds:0.0} s, passes handed on: " +
            cloud.Log.Count(line => line.Contains($"Purging {user.Sub}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_upload_being_processed_when_the_account_is_deleted_leaves_nothing_behind()
    {
        var user = await cloud.NewUserAsync();
        var rows = string.Concat(Enumerable.Range(0, 8_000).Select(n => $"Row {n}: the delivery was late but the product is great\n"));
        var id = await UploadAsync(user, "text\n" + rows);
        await ProcessingAsync(user, id);

        using var deleted = await cloud.SendAsync(HttpMethod.Delete, "/me", user.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        // The purge may finish while ProcessUpload still runs, so what it wrote since is checked once it ended.
        await PurgedAsync(user, onlyTombstone: false);
        // ProcessUpload stops at its next write to the deleted item and removes what it wrote after the purge's listing
        // (files, and the usage item its last reservation made again).
        await cloud.LogLineAsync(line => line.Contains(id, StringComparison.Ordinal)
            && (line.Contains("is deleted: deleted", StringComparison.Ordinal) || line.Contains("Completed upload",
                StringComparison.Ordinal)),
            "ProcessUpload ending the upload of the deleted account");
        Assert.Empty(await ObjectsAsync(user));
        Assert.Equal([AccountDeletions.SortKey], await SortKeysAsync(user));
    }

    /// <summary>
    /// Waits until the tombstone says DELETED; then only the tombstone is left in the partition (unless
    /// <paramref name="onlyTombstone"/> is false: an invocation still running may write until it sees the deletion).
    /// </summary>
    private async Task PurgedAsync(TestUser user, TimeSpan? limit = null, bool onlyTombstone = true)
    {
        using var db = cloud.CreateDynamoDb();
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var tombstone = await db.GetItemAsync(new GetItemRequest
            {
                TableName = cloud.Output("TableName"),
                Key = AccountDeletions.Key(user.Sub),
                ConsistentRead = true,
            });
            if (tombstone.Item?.GetValueOrDefault("status")?.S == AccountDeletions.Deleted) break;
            Assert.True(DateTime.UtcNow < until,
                $"The account of {user.Sub} is not purged yet; log: {string.Join('\n', cloud.Log.TakeLast(30))}");
            await Task.Delay(250);
        }
        if (onlyTombstone) Assert.Equal([AccountDeletions.SortKey], await SortKeysAsync(user));
    }

    private async Task<List<string>> SortKeysAsync(TestUser user)
    {
        using var db = cloud.CreateDynamoDb();
        var keys = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await db.QueryAsync(new QueryRequest
            {
                TableName = cloud.Output("TableName"),
                KeyConditionExpression = "PK = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new() { S = Table.UserPartition(user.Sub) } },
                ConsistentRead = true,
                ExclusiveStartKey = start,
            });
            keys.AddRange(page.Items.Select(item => item[Table.SortKey].S));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return keys;
    }

    private async Task<List<string>> ObjectsAsync(TestUser user)
    {
        using var s3 = cloud.CreateS3();
        var keys = new List<string>();
        foreach (var prefix in BucketPrefix.Of(user.Sub))
        {
            var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = cloud.Output("BucketName"), Prefix = prefix });
            keys.AddRange((listed.S3Objects ?? []).Select(o => o.Key));
        }
        return keys;
    }

    private async Task<string> UploadAsync(TestUser user, string text)
    {
        var file = Encoding.UTF8.GetBytes(text);
        var (id, uploadRequest) = await cloud.CreateUploadAsync(user, "reviews.csv", "text/csv", file.Length);
        using var put = PresignedPut.Of(uploadRequest, file);
        using var stored = await cloud.Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        return id;
    }

    private async Task ProcessingAsync(TestUser user, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await cloud.SendAsync(HttpMethod.Get, $"/uploads/{id}", user.AccessToken);
            var status = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
            if (status == UploadStatus.Processing) return;
            Assert.True(status == UploadStatus.PendingUpload && attempt < 1200, $"Upload {id} is {status}, not PROCESSING");
            await Task.Delay(50);
        }
    }

    private Task<JsonElement> SignInAsync(TestUser user) => cloud.CognitoAsync("InitiateAuth", new JsonObject
    {
        ["ClientId"] = cloud.Output("UserPoolClientId"),
        ["AuthFlow"] = "USER_PASSWORD_AUTH",
        ["AuthParameters"] = new JsonObject { ["USERNAME"] = user.Email, ["PASSWORD"] = Password },
    });

    private async Task<string> RefreshTokenAsync(TestUser user) =>
        (await SignInAsync(user)).GetProperty("AuthenticationResult").GetProperty("RefreshToken").GetString()!;

    private LambdaClient LambdaClient() => new(cloud.Http, credentials: new BasicAWSCredentials(LocalAccount.AccessKeyId,
        LocalAccount.SecretAccessKey),
        region: LocalAccount.Region, endpoint: new Uri(cloud.Output("LambdaEndpoint")));
}
