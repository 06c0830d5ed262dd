using Serverless.Metering;
using Serverless.ServiceDefaults;
using Serverless.Uploads.Scoring;

namespace Serverless.Uploads.Processing;

/// <summary>
/// The texts an upload may still send to the model, reserved on its hold (<see cref="UsageLedger.UploadSource"/>) in
/// the month its claim names before any of them is sent. It reserves <see cref="FirstChunk"/> texts first, twice as many
/// each time after, up to a tenth of the plan (never more than <see cref="MostChunk"/>): a small file holds little of the
/// plan, a large one reserves rarely. The first chunk is reserved as the allowance opens and each next one while half of
/// the last one is still to use, so reading seldom waits for the ledger. Near the plan's end it takes what is left, so
/// the upload stops exactly at the quota. What the hold reserved and the upload did not score goes back when the upload's
/// end is settled, after <see cref="StopAsync"/> (a reservation still on its way would add to the hold after the
/// settlement).
/// </summary>
public sealed class UploadAllowance
{
    /// <summary>One batch's texts (<see cref="BatchLimits.Default"/>): the first call waits for one reservation at most.</summary>
    public const long FirstChunk = 256;
    public const long MostChunk = 8_192;

    private readonly UsageLedger ledger;
    private readonly string userSub;
    private readonly string month;
    private readonly string source;
    private readonly long mostChunk;
    private readonly CancellationToken cancellationToken;
    private long available;
    private long chunk = FirstChunk;
    private long lastChunk = FirstChunk;
    private Task<long>? next;
    private bool refused;

    private UploadAllowance(UsageLedger ledger, string userSub, string month, string source, long available,
        CancellationToken cancellationToken)
    {
        this.ledger = ledger;
        this.userSub = userSub;
        this.month = month;
        this.source = source;
        this.available = available;
        this.cancellationToken = cancellationToken;
        mostChunk = Math.Clamp(ledger.Plan.MonthlyTexts / 10, FirstChunk, MostChunk);
    }

    /// <summary>
    /// The allowance of an upload that has scored <paramref name="scored"/> texts so far: what its hold reserved beyond
    /// them (an earlier invocation's, or that of an attempt that died) is there to use first. Its reservations run under
    /// <paramref name="cancellationToken"/>.
    /// </summary>
    public static async Task<UploadAllowance> OpenAsync(
        UsageLedger ledger, string userSub, string uploadId, string month, long scored,
        CancellationToken cancellationToken)
    {
        var source = UsageLedger.UploadSource(uploadId);
        var held = await ledger.HeldAsync(userSub, month, source, cancellationToken);
        var allowance = new UploadAllowance(ledger, userSub, month, source, Math.Max(0, held - scored), cancellationToken);
        allowance.ReserveAhead();
        return allowance;
    }

    /// <summary>Takes one text to send; false when the plan has no text left for it.</summary>
    public async ValueTask<bool> TakeAsync()
    {
        if (available == 0 || next is { IsCompleted: true })
        {
            // Out of texts: wait for the reservation on its way, or make one (again after a refusal: holds may have gone).
            if (available == 0) next ??= ReserveAsync();
            var reserved = await next!;
            next = null;
            refused = reserved == 0;
            available += reserved;
            if (available == 0) return false;
        }
        available--;
        ReserveAhead();
        return true;
    }

    /// <summary>Starts the next reservation once half of the last one is used, unless the plan refused the last one.</summary>
    private void ReserveAhead()
    {
        if (next is null && !refused && available <= lastChunk / 2) next = ReserveAsync();
    }

    /// <summary>Waits for a reservation still on its way. Its failure changes nothing now: the texts are not needed.</summary>
    public async Task StopAsync()
    {
        if (next is { } pending)
            await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        next = null;
    }

    private Task<long> ReserveAsync()
    {
        lastChunk = chunk;
        chunk = Math.Min(chunk * 2, mostChunk);
        return ledger.ReserveAsync(userSub, month, source, lastChunk, 1, cancellationToken);
    }
}
