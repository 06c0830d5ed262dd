using System.Globalization;

namespace Serverless.Local.Schedules;

/// <summary>
/// An EventBridge schedule expression, as a <c>Schedule</c> or <c>ScheduleV2</c> event gives it, in UTC:
/// <c>rate(value unit)</c> (minute(s), hour(s), day(s); 1 takes the singular, more the plural) or
/// <c>cron(minutes hours day-of-month month day-of-week year)</c> with <c>*</c>, <c>?</c>, lists, ranges, steps and the
/// names JAN…DEC and SUN…SAT (day-of-week 1 is Sunday). Exactly one of day-of-month and day-of-week is <c>?</c>.
/// <c>L</c>, <c>W</c> and <c>#</c> are refused: the local cloud does not run them.
/// </summary>
public abstract record ScheduleExpression
{
    /// <summary>The expression as written.</summary>
    public string Text { get; private init; } = "";

    public sealed override string ToString() => Text;

    /// <summary>The first time after <paramref name="after"/> the schedule fires.</summary>
    public abstract DateTimeOffset NextAfter(DateTimeOffset after);

    /// <param name="created">When the rule was made: a rate counts its periods from it.</param> <exception
    /// cref="FormatException">Not an expression EventBridge takes, or one the local cloud does not run.</exception>
    public static ScheduleExpression Parse(string expression, DateTimeOffset created)
    {
        var text = expression.Trim();
        if (text.StartsWith("rate(", StringComparison.Ordinal) && text.EndsWith(')'))
            return Rate.Parse(text[5..^1], expression, created) with { Text = text };
        if (text.StartsWith("cron(", StringComparison.Ordinal) && text.EndsWith(')'))
            return Cron.Parse(text[5..^1], expression) with { Text = text };
        throw new FormatException($"'{expression}' is not a schedule expression: rate(value unit) or cron(six fields).");
    }

    /// <summary><c>rate(...)</c>: every period, counted from when the rule was created (the local cloud's
    /// start).</summary>
    public sealed record Rate(TimeSpan Period, DateTimeOffset Start) : ScheduleExpression
    {
        public override DateTimeOffset NextAfter(DateTimeOffset after) =>
            after < Start ? Start + Period : Start + Period * (Math.Floor((after - Start) / Period) + 1);

        internal static Rate Parse(string body, string expression, DateTimeOffset created)
        {
            var parts = body.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
                throw new FormatException($"'{expression}': a rate is a positive whole number and a unit, e.g. rate(5 minutes).");
            var unit = parts[1];
            var singular = unit is "minute" or "hour" or "day";
            if (singular != (value == 1) || !(singular || unit is "minutes" or "hours" or "days"))
                throw new FormatException($"'{expression}': the unit is minute, hour or day for 1, minutes, hours or days for more.");
            var period = unit.TrimEnd('s') switch
            {
                "minute" => TimeSpan.FromMinutes(value),
                "hour" => TimeSpan.FromHours(value),
                _ => TimeSpan.FromDays(value),
            };
            return new Rate(period, created);
        }
    }

    /// <summary><c>cron(...)</c>: the allowed values of each field; a field that is <c>?</c> allows every
    /// value.</summary>
    public sealed record Cron(
        IReadOnlySet<int> Minutes, IReadOnlySet<int> Hours, IReadOnlySet<int> DaysOfMonth, IReadOnlySet<int> Months,
        IReadOnlySet<int> DaysOfWeek, IReadOnlySet<int> Years) : ScheduleExpression
    {
        private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
        private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

        public override DateTimeOffset NextAfter(DateTimeOffset after)
        {
            var utc = after.ToUniversalTime();
            var from = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero).AddMinutes(1);
            for (var day = from.Date; day.Year <= Years.Max(); day = day.AddDays(1))
            {
                if (!Years.Contains(day.Year) || !Months.Contains(day.Month) || !DaysOfMonth.Contains(day.Day)
                    || !DaysOfWeek.Contains((int)day.DayOfWeek + 1))
                    continue;
                foreach (var hour in Hours.Order())
                foreach (var minute in Minutes.Order())
                {
                    var at = new DateTimeOffset(day.Year, day.Month, day.Day, hour, minute, 0, TimeSpan.Zero);
                    if (at >= from) return at;
                }
            }
            throw new InvalidOperationException("The schedule fires no more.");
        }

        internal static Cron Parse(string body, string expression)
        {
            var fields = body.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6)
                throw new FormatException(
                    $"'{expression}': a cron expression has six fields: minutes hours day-of-month month day-of-week year.");
            if ((fields[2] == "?") == (fields[4] == "?"))
                throw new FormatException($"'{expression}': exactly one of day-of-month and day-of-week must be '?'.");
            return new Cron(
                Field(fields[0], 0, 59, [], expression), Field(fields[1], 0, 23, [], expression), Field(fields[2], 1, 31, [], expression),
                Field(fields[3], 1, 12, MonthNames, expression), Field(fields[4], 1, 7, DayNames, expression),
                Field(fields[5], 1970, 2199, [], expression));
        }

        /// <summary>A field's values: <c>*</c> or <c>?</c>, else a comma-separated list of values, ranges and
        /// <c>start/step</c>.</summary>
        private static HashSet<int> Field(string field, int min, int max, string[] names, string expression)
        {
            if (field is "*" or "?") return [.. Enumerable.Range(min, max - min + 1)];
            var values = new HashSet<int>();
            foreach (var item in field.Split(','))
            {
                if (item.IndexOfAny(['L', 'W', '#']) >= 0 && !names.Any(name => item.Contains(name, StringComparison.OrdinalIgnoreCase)))
                    throw new FormatException($"'{expression}': '{item}' uses L, W or #, which the local cloud does not run.");
                var (range, step) = item.Split('/') switch
                {
                    [var only] => (only, 1),
                    [var start, var by] when int.TryParse(by, CultureInfo.InvariantCulture, out var n) && n > 0 => (start, n),
                    _ => throw new FormatException($"'{expression}': '{item}' is not a value, a range or start/step."),
                };
                var (low, high) = range switch
                {
                    "*" => (min, max),
                    _ when range.Split('-') is [var a, var b] => (Value(a), Value(b)),
                    _ => (Value(range), item.Contains('/') ? max : Value(range)),
                };
                if (low > high) throw new FormatException($"'{expression}': the range '{range}' ends before it starts.");
                for (var value = low; value <= high; value += step) values.Add(value);
            }
            return values;

            int Value(string text)
            {
                var named = Array.FindIndex(names, name => name.Equals(text, StringComparison.OrdinalIgnoreCase));
                var value = named >= 0 ? named + 1
                    : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1;
                return value >= min && value <= max
                    ? value
                    : throw new FormatException(
                        $"'{expression}': '{text}' is not a value from {min} to {max}{(names.Length > 0 ? " or a name" : "")}.");
            }
        }
    }
}
