"""Every refusal a reader can be told, by its code, in (Simplified Chinese, English).

The codes are the ledger's (``ledger.errors.all_error_codes()``), the service's (``api/http/problems.py``
``SERVICE_CODES``) and the import's own (``importer/report.py`` ``IMPORT_CODES``). The code itself stays what the API
and the files carry, and the refusal's own sentence (its English ``detail``, with the values it is about) stays
beside it; these are what a province official reads first: the console's refusal panel, the import's error report.
A test holds every code of the three lists to a name in both languages, so a new code cannot reach a reader as bare
English.
"""

from __future__ import annotations

REFUSALS: dict[str, tuple[str, str]] = {
    # families: a code said by what kind of refusal it is
    "LEDGER_ERROR": ("账本拒绝了此操作", "The ledger refused this"),
    "RULE_VIOLATION": ("不符合政策规则", "Against a programme rule"),
    "DUPLICATE": ("重复记录", "Already recorded"),
    "NOT_FOUND": ("未找到，或当前角色无权查看", "Not found, or not visible to your role"),
    "INVALID_INPUT": ("请求有误：请检查日期、时间和编号（日期写作 2020-03-05，时间须带时区）",
                      "Bad request: check the dates, times and ids"),
    # input
    "UNKNOWN_CITY": ("地市代码有误：不是广东省 21 个地级以上市之一", "Not one of Guangdong's 21 city codes"),
    "INVALID_USCC": ("统一社会信用代码有误（长度或校验码不符）", "Not a valid USCC"),
    "INVALID_AMOUNT": ("金额有误：金额以分为单位，须为非负整数", "Not a valid amount: money is a whole number of fen"),
    "INVALID_RATE": ("比例有误：须在 0 到 1 之间", "Not a valid rate: between 0 and 1"),
    "NAIVE_DATETIME": ("时间须带时区（如 +08:00）", "A time must carry its offset (e.g. +08:00)"),
    "BANK_REFERENCE_REQUIRED": ("须填写银行流水号", "A bank reference is required"),
    "WRITE_OFF_REASON_REQUIRED": ("核销须写明原因", "A write-off needs its reason"),
    "EFFECTIVE_IN_FUTURE": ("生效时间晚于记录时间：账本只记录已发生的事", "Effective later than recorded: the ledger records what "
                            "has happened"),
    "INVALID_WORKING_CALENDAR": ("工作日安排有误（日期不在该年、同日既放假又上班、调休上班日不是周末或未注明通知）",
                                 "Not a valid working calendar for the year"),
    "FUNDING_NOT_DECLARED": ("须声明该合同是否已获其他财政资金支持", "The claim must declare whether the contract has other "
                             "fiscal funding"),
    # lookups
    "VOUCHER_NOT_FOUND": ("未找到该服务券，或当前角色无权查看", "No such voucher, or not visible to your role"),
    "ENTERPRISE_NOT_FOUND": ("未找到该企业，或当前角色无权查看", "No such enterprise, or not visible to your role"),
    "PROVIDER_NOT_FOUND": ("未找到该服务商，或当前角色无权查看", "No such provider, or not visible to your role"),
    "BATCH_NOT_FOUND": ("未找到该兑付批次，或当前角色无权查看", "No such settlement batch, or not visible to your role"),
    "CLAIM_NOT_FOUND": ("未找到该兑付申请", "No such claim"),
    "CATALOGUE_ITEM_NOT_FOUND": ("服务目录中没有该项目", "No such item in the year's catalogue"),
    "PUBLICITY_LIST_NOT_FOUND": ("未找到该公示名单", "No such publicity list"),
    "EVALUATION_NOT_RUN": ("该年度资源池尚未评价", "The year's resource pool has not been evaluated"),
    "RECOVERY_NOT_FOUND": ("未找到该追回记录", "No such recovery"),
    "WORKING_CALENDAR_NOT_FOUND": ("未找到该年度的工作日安排", "No working calendar recorded for that year"),
    "WORKING_CALENDAR_NOT_RECORDED": ("尚未记录该年度的工作日安排，无法计算公示期", "The year's working calendar is not "
                                      "recorded: the publicity window cannot be counted"),
    "AWARD_PROGRAMME_NOT_FOUND": ("未找到该奖补项目", "No such award programme"),
    "AWARD_NOT_FOUND": ("未找到该奖补申请", "No such award"),
    # duplicates
    "ALREADY_EXISTS": ("已存在，不能重复登记", "Already recorded"),
    "DUPLICATE_VOUCHER": ("该企业本年度已领取此项目的服务券", "The enterprise already holds this year's voucher for the item"),
    "DUPLICATE_CLAIM": ("发票已用于另一笔有效的兑付申请", "An invoice is already on a live claim"),
    "CONTRACT_OVERCLAIMED": ("同一合同各次申请合计超过合同金额", "The parts claimed on the contract exceed its amount"),
    "CONTRACT_AMOUNT_MISMATCH": ("合同金额与此前申请所填不一致", "The contract amount differs from earlier claims on it"),
    "ALREADY_FUNDED": ("该合同已获其他财政资金支持（同一事项只支持一次）", "The contract is already funded (one item is funded "
                       "once)"),
    "DUPLICATE_COLLECTION": ("该银行流水号已在此追回中登记", "That bank reference is already recorded on the recovery"),
    "YEAR_ALREADY_OPEN": ("该项目年度已开启", "The programme year is already open"),
    "ALREADY_RATED": ("该笔兑付申请已评价过服务", "This claim's service is already rated"),
    "YEAR_ALREADY_EVALUATED": ("该年度资源池已评价", "The year's resource pool is already evaluated"),
    "ELIGIBILITY_ALREADY_DECIDED": ("该企业本年度资格已认定", "The enterprise's eligibility for the year is already decided"),
    # the programme's rules
    "NOT_ELIGIBLE": ("企业本年度未获资格认定", "The enterprise has no granted eligibility for the year"),
    # SHENZHEN_EXCLUDED is also an eligibility reason: its words are ledger/words.py's CODES
    "ELIGIBILITY_NOT_DECIDED": ("该年度尚无资格认定，无从更正", "No eligibility decision of the year to correct"),
    "CATEGORY_NOT_COVERED": ("该费用类别不在服务券支持范围内", "The fee category is not covered"),
    "CATEGORY_MISMATCH": ("费用类别与服务券项目不符", "The fee category differs from the voucher's item"),
    "DISCOUNT_RATE_TOO_LOW": ("折扣低于规定的最低优惠", "The discount is below the required minimum"),
    "CARRIER_RATE_NOT_SET": ("尚未配置该年度运营商网络优惠比例", "No carrier discount rates are set for the year"),
    "CATALOGUE_NOT_PUBLISHED": ("该年度服务目录尚未发布", "The year's catalogue is not published"),
    "CATALOGUE_DEADLINE_MISMATCH": ("服务目录的兑付截止日与项目年度不一致", "The catalogue's deadline differs from its year's"),
    "NOT_CURRENT_YEAR": ("不在该年度服务券发放期内", "Outside the year's issuance window"),
    "YEAR_NOT_IN_PROGRAMME": ("省里尚未开启该项目年度", "The province has not opened that programme year"),
    "YEAR_NOT_OVER": ("该年度服务券仍可兑付，年度尚未结束", "The year's vouchers are still redeemable"),
    "QUOTA_EXHAUSTED": ("额度不足", "Quota exhausted"),
    "CITY_QUOTA_EXHAUSTED": ("地市服务券额度不足", "The city's voucher quota is exhausted"),
    "PROVIDER_QUOTA_EXHAUSTED": ("服务商兑付额度不足", "The provider's redemption quota is exhausted"),
    "QUOTA_NOT_SET": ("尚未设定该年度额度", "No quota is set for the year"),
    "CITY_SHARE_FIXED": ("地市配套比例已确定，不能更改", "The city's share is fixed for the year"),
    "QUOTA_BELOW_USAGE": ("额度不能低于已使用的金额", "A quota cannot go below what is already used"),
    "VOUCHER_EXPIRED": ("服务券已过兑付期", "The voucher is past its redemption deadline"),
    "VOUCHER_NOT_YET_EXPIRED": ("服务券尚未到期", "The voucher is not past its deadline yet"),
    "VOUCHER_REVOKED": ("服务券已撤回", "The voucher is revoked"),
    "VOUCHER_EXHAUSTED": ("服务券余额不足", "The voucher's balance is used up"),
    "ZERO_SUBSIDY": ("按规定比例计算的补贴为零", "The subsidy at the year's rate comes to nothing"),
    "CONTRACT_BEFORE_POLICY": ("合同签订日期早于政策起始日", "The contract predates the policy"),
    # the share is the year's (90 % in 2018-2020): the message that comes with the word says it
    "PAYMENT_INSUFFICIENT": ("已证明的付款不足合同金额的规定比例", "Payment proven is below the required share of the "
                             "contract"),
    "ELIGIBLE_FEE_EXCEEDS_CONTRACT": ("申请补贴的费用超过合同金额", "The eligible fee exceeds the contract amount"),
    "PROVIDER_NOT_WHITELISTED": ("服务商不在白名单内", "The provider is not whitelisted"),
    "PROVIDER_SUSPENDED": ("服务商白名单资格已暂停", "The provider is suspended from the whitelist"),
    "PROVIDER_ELIMINATED": ("服务商已被淘汰出资源池", "The provider is eliminated from the pool"),
    # claims, batches, publicity and recoveries
    "INVALID_TRANSITION": ("当前状态下不能进行此操作", "Not allowed in its current state"),
    "PROVIDER_MISMATCH": ("服务商与兑付批次不符", "The provider differs from the batch's"),
    "EMPTY_BATCH": ("兑付批次中没有可兑付的申请", "The batch holds nothing to pay"),
    "CLAIM_HELD": ("该申请因补记的暂停而扣留，待省里复核", "The claim is held for review after a late suspension"),
    "CLAIM_NOT_PUBLICISED": ("该申请须先经公示才能兑付", "The claim is paid only after publicity"),
    "PUBLICITY_NOT_CLOSED": ("该申请的公示尚未结束", "The claim's publicity is not closed"),
    "CLAIM_UNDER_OBJECTION": ("该申请有待处理的异议", "An objection holds the claim"),
    "OBJECTION_WINDOW_CLOSED": ("异议期已结束", "The objection window has closed"),
    "PUBLICITY_WINDOW_OPEN": ("公示期尚未结束，不能关闭名单", "The publicity window is still open"),
    "RECOVERY_CLOSED": ("该追回已全部收回或已核销", "Nothing is due on the recovery any more"),
    "RECOVERY_OVER_COLLECTED": ("收回金额超过待追回金额", "The collection exceeds what is still due"),
    "COLLECTION_BEFORE_RECOVERY": ("收回或核销日期早于追回生效日期", "Dated before the recovery took effect"),
    "PAID_BEFORE_APPROVAL": ("支付日期早于批准日期", "A payment dated before its approval"),
    "PAID_BEFORE_PUBLICITY": ("支付日期早于公示通过（异议期结束或异议裁定）", "A payment dated before its publicity cleared it"),
    "RECOVERY_BEFORE_PAYMENT": ("追回日期早于支付日期", "A recovery dated before the payment it reclaims"),
    # awards
    "AWARD_APPLICANT_NOT_ALLOWED": ("该奖补项目不接受此类申报主体", "The award programme does not take this kind of applicant"),
    "AWARD_OTHER_CITY": ("地市只能推荐本市的申报", "A city recommends only its own city's applications"),
    "AWARD_SELECTION_CAP_REACHED": ("已达该奖补项目的入选上限", "The programme's cap of selected awards is reached"),
    "AWARD_AMOUNT_INVALID": ("奖补金额不符合该项目规则", "The amount does not follow the programme's rule"),
    "AWARD_BASE_REQUIRED": ("按比例奖补须申报计算基数", "A rate award needs its declared base"),
    "AWARD_TITLE_WITHDRAWN": ("该奖补称号已撤销", "The award's title is withdrawn"),
    # the service
    "CONCURRENT_UPDATE": ("同时有其他操作修改了同一记录，请重试", "Changed by another request at the same time: try again"),
    "IDEMPOTENCY_KEY_REUSED": ("幂等键已用于另一请求，请换用新的键", "The idempotency key answered another request: use a new "
                               "key"),
    "IDEMPOTENCY_KEY_REQUIRED": ("此操作须带幂等键（Idempotency-Key）", "This request needs an Idempotency-Key"),
    "IDEMPOTENCY_KEY_IN_PROGRESS": ("使用该幂等键的请求正在处理，请稍后再试", "A request under that key is still running"),
    "EVIDENCE_KEYS_NOT_DERIVED": ("历史申请的发票与合同索引尚未生成，兑付申请暂停受理", "Claims wait until the evidence keys "
                                  "are derived"),
    "FORBIDDEN": ("当前角色无权查看此页面", "Your role may not see this page"),
    "UNAUTHENTICATED": ("请先登录，或令牌已过期", "Please sign in; the token is missing or has expired"),
    "MALFORMED_BODY": ("请求内容无法解析", "The request body cannot be read"),
    "HTTP_ERROR": ("请求有误", "Bad request"),
    "METHOD_NOT_ALLOWED": ("该地址不支持此请求方法", "Method not allowed here"),
    "JSON_TOO_DEEP": ("请求内容嵌套层数过多", "The request body is nested too deep"),
    "PAYLOAD_TOO_LARGE": ("请求内容过大", "The request body is too large"),
    "INVALID_CURSOR": ("翻页位置无效，请从第一页重新查看", "Not a valid page position: start from the first page"),
    "AS_OF_IN_FUTURE": ("查询时点晚于当前时间", "The as-of time is later than now"),
    "STORE_UNAVAILABLE": ("数据库暂时不可用，请稍后再试", "The store is unavailable: try again later"),
    "STATEMENT_TIMEOUT": ("查询超时，请缩小范围后再试", "The query took too long: narrow it and try again"),
    "NOT_READY": ("服务正在启动，请稍后再试", "The service is starting: try again shortly"),
    "INTERNAL_ERROR": ("服务内部错误，请将参考代码告知技术支持", "Internal error: tell support the code"),
    # bulk import
    "IMPORT_ROWS_REFUSED": ("导入文件中有行未通过校验，未写入任何数据", "Rows of the file were refused; nothing was written"),
    "IMPORT_INTERRUPTED": ("导入中断，再次导入同一文件将从中断处继续", "The import was interrupted: import the file again to "
                           "continue"),
    "UNREADABLE_FILE": ("文件无法读取（请使用 .xlsx，或 UTF-8、GB18030 编码的 .csv）", "The file cannot be read"),
    "UNKNOWN_COLUMN": ("表头中有无法识别的列", "A header names an unknown column"),
    "DUPLICATE_COLUMN": ("表头中有重复的列", "A column appears twice in the header"),
    "MISSING_COLUMN": ("缺少必填的列", "A required column is missing"),
    "MISSING_VALUE": ("必填单元格为空", "A required cell is empty"),
    "ROWS_ON_ANOTHER_SHEET": ("工作簿的其他工作表也有同类数据行，只读取第一个工作表",
                              "Another sheet of the workbook holds rows of the same kind; only the first is read"),
    "CELL_WITHOUT_COLUMN": ("单元格所在列没有表头（含逗号的数值在 CSV 中须加引号）",
                            "A filled cell is under no header (a value with commas must be quoted in a CSV file)"),
    "RECORDED_AT_NOT_ALLOWED": ("只有培训库可填写记录时间", "recorded_at is taken only on a training store"),
    "RECORDED_BY_NOT_ALLOWED": ("只有培训库可填写他人作为记录人", "recorded_by is taken only on a training store"),
    "RECORDED_AT_IN_FUTURE": ("记录时间晚于当前时间", "recorded_at is later than now"),
    "RECORDED_AT_OUT_OF_ORDER": ("记录时间早于账本已有的记录", "recorded_at is earlier than what the ledger already holds"),
}
