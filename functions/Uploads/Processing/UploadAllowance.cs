using Serverless.Metering;
using Serverless.ServiceDefaults;

namespace Serverless.Uploads.Processing;

/// <summary>
/// The texts an upload may still send to the model, reserved on its hold (<see cref="UsageLedger.UploadSource"/>) in
/// the month its claim names before any of them is sent. It reserves <see cref="FirstChunk"/> texts when it runs out,
/// twice as many each time after, up to <see cref="MostChunk"/>: a small file holds little of the plan, a large one
/// reserves rarely. Near the plan's end it takes what is left, so the upload stops exactly at the quota. What the hold
/// reserved and the upload did not score goes back when the upload's end is settled.
/// </summary>
public sealed class UploadAllowance
{
    public const long FirstChunk = 64;
    public const long MostChunk = 1_000;

    private readonly UsageLedger ledger;
    private readonly string userSub;
    private readonly string month;
    private readonly string source;
    private long available;
    private long chunk = FirstChunk;

    private UploadAllowance(UsageLedger ledger, string userSub, string month, string source, long available)
    {
        this.ledger = ledger;
        this.userSub = userSub;
        this.month = month;
        this.source = source;
        this.available = available;
    }

    /// <summary>
    /// The allowance of an upload that has scored <paramref name="scored"/> texts so far: what its hold reserved beyond
    /// them (an earlier invocation's, or that of an attempt that died) is there to use first.
    /// </summary>
    public static async Task<UploadAllowance> OpenAsync(
        UsageLedger ledger, string userSub, string uploadId, string month, long scored,
        CancellationToken cancellationToken)
    {
        var source = UsageLedger.UploadSource(uploadId);
        var held = await ledger.HeldAsync(userSub, month, source, cancellationToken);
        return new UploadAllowance(ledger, userSub, month, source, Math.Max(0, held - scored));
    }

    /// <summary>Takes one text to send; false when the plan has no text left for it.</summary>
    public async ValueTask<bool> TakeAsync(CancellationToken cancellationToken)
    {
        if (available == 0)
        {
            available = await ledger.ReserveAsync(userSub, month, source, chunk, 1, cancellationToken);
            if (available == 0) return false;
            chunk = Math.Min(chunk * 2, MostChunk);
        }
        available--;
        return true;
    }
}
