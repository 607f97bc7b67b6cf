-- 002: the indicator catalogue encoded from the five seed plans
-- (/work/shared/seeds, see deploy/samples/plans/README.md).
--
-- One row per indicator, shared by every plan that sets a target on it.
-- Time aggregation is chosen per component:
--   flow  = summed over the quarters reported in the year (events: people
--           trained, children screened, loans granted in the quarter);
--   stock = the latest quarter reported in the year (a state at the end of
--           the quarter: facilities that have staff, total staff, population).
-- A flow numerator counts each person/household/unit at most once per year
-- (report only those served for the first time this year), so that the sum of
-- the quarters is a count of distinct people and never exceeds the stock
-- denominator it is divided by.
--
-- Programme 'CTXH': Chương trình phát triển công tác xã hội (QĐ 112/QĐ-TTg).
-- Programme 'SKTT': Chương trình trợ giúp xã hội và phục hồi chức năng cho
-- người tâm thần, trẻ em tự kỷ và người rối nhiễu tâm trí dựa vào cộng đồng
-- (seed 004, Thanh Bình).

INSERT INTO indicators (code, name, kind, numerator_label, denominator_label,
                        numerator_agg, denominator_agg, programme, description) VALUES

-- CTXH-01 (seeds 000-004, target 1): units that assign social-work staff.
-- Numerator and denominator are both states at a point in time (a unit either
-- has a 01-02 person social-work post with allowance >= base salary at the end
-- of the quarter or it does not; the set of units that should is also a state),
-- so stock/stock: the year's value is the latest quarter, never a sum (summing
-- would count the same unit four times).
('CTXH-01',
 'Tỷ lệ cơ quan, tổ chức, cơ sở, xã, phường, thị trấn và đơn vị liên quan thực hiện phân công, bố trí nhân sự làm công tác xã hội',
 'ratio',
 'Số cơ quan, tổ chức, cơ sở, trường học, bệnh viện, xã, phường, thị trấn và đơn vị liên quan đã phân công, bố trí ít nhất 01 (01 đến 02) cán bộ, công chức, viên chức, nhân viên hoặc cộng tác viên công tác xã hội với mức phụ cấp hằng tháng tối thiểu bằng mức lương cơ bản do Chính phủ quy định',
 'Tổng số cơ quan, tổ chức, cơ sở, trường học, bệnh viện, xã, phường, thị trấn và đơn vị liên quan thuộc diện phải bố trí nhân sự làm công tác xã hội',
 'stock', 'stock', 'CTXH',
 'Mỗi quý báo cáo, tính đến ngày cuối quý, số cơ quan, tổ chức, cơ sở, xã, phường, thị trấn và đơn vị liên quan đã phân công, bố trí nhân sự làm công tác xã hội (tử số) trên tổng số đơn vị thuộc diện phải bố trí (mẫu số).'),

-- CTXH-02 (seeds 000-004, target 2): share of social-work staff and
-- collaborators trained. As DOMAIN.md says: a flow over a stock. Training is an
-- event: the numerator is the people trained during the quarter (each person
-- counted once in the year), summed over the quarters; the denominator is the
-- workforce in post at the end of the quarter, a state, so the latest quarter.
('CTXH-02',
 'Tỷ lệ cán bộ, công chức, viên chức, nhân viên và cộng tác viên công tác xã hội được đào tạo, bồi dưỡng nâng cao trình độ chuyên môn, nghiệp vụ và tập huấn kỹ năng công tác xã hội',
 'ratio',
 'Số cán bộ, công chức, viên chức, nhân viên và cộng tác viên công tác xã hội được đào tạo, bồi dưỡng, tập huấn kỹ năng công tác xã hội trong quý (mỗi người chỉ tính một lần trong năm)',
 'Tổng số cán bộ, công chức, viên chức, nhân viên và cộng tác viên công tác xã hội đang làm việc tại xã, phường, thị trấn, các cơ sở có cung cấp dịch vụ công tác xã hội và các cơ quan, tổ chức liên quan',
 'flow', 'stock', 'CTXH',
 'Mỗi quý báo cáo số người lần đầu trong năm được đào tạo, bồi dưỡng hoặc tập huấn kỹ năng công tác xã hội trong quý (tử số) và tổng số cán bộ, công chức, viên chức, nhân viên, cộng tác viên công tác xã hội đang làm việc tại ngày cuối quý (mẫu số).'),

-- CTXH-03 (seeds 000-004, target 3): facilities (social assistance, health,
-- education, other) that provide social-work services / counselling to people
-- in difficulty. Whether a facility provides the service is a state, and so
-- is the number of facilities: stock/stock.
('CTXH-03',
 'Tỷ lệ cơ sở trợ giúp xã hội, cơ sở y tế, cơ sở giáo dục và cơ sở khác có cung cấp dịch vụ công tác xã hội, tư vấn, hỗ trợ người có hoàn cảnh khó khăn',
 'ratio',
 'Số cơ sở trợ giúp xã hội, cơ sở y tế, cơ sở giáo dục và cơ sở khác trong quy hoạch có cung cấp dịch vụ công tác xã hội (tư vấn, hỗ trợ công tác xã hội đối với người có hoàn cảnh khó khăn khi có nhu cầu)',
 'Tổng số cơ sở trợ giúp xã hội, cơ sở y tế, cơ sở giáo dục và cơ sở khác trong quy hoạch',
 'stock', 'stock', 'CTXH',
 'Mỗi quý báo cáo, tính đến ngày cuối quý, số cơ sở trợ giúp xã hội, y tế, giáo dục và cơ sở khác đang cung cấp dịch vụ công tác xã hội, tư vấn, hỗ trợ người có hoàn cảnh khó khăn (tử số) trên tổng số các cơ sở đó (mẫu số).'),

-- CTXH-04 (seeds 000-004, target 4): children in special circumstances
-- supported from socialised resources. A coverage ratio of a population: the
-- denominator (children in the six groups) is a state. Support is continuous
-- (a child supported in Q1 and Q2 is one child), so the numerator is reported
-- as a stock too: children covered so far this year, cumulative and counted
-- once, as of the end of the quarter; the latest quarter is the year's value.
-- Summing quarters (flow) would double-count children supported repeatedly.
('CTXH-04',
 'Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp xã hội và được cung cấp dịch vụ công tác xã hội phù hợp từ nguồn lực xã hội hóa',
 'ratio',
 'Số trẻ em mồ côi không nơi nương tựa, bị bỏ rơi, nhiễm HIV/AIDS, là nạn nhân chất độc hóa học, khuyết tật nặng, bị ảnh hưởng bởi thiên tai, dịch bệnh đã được trợ giúp xã hội và cung cấp dịch vụ công tác xã hội từ nguồn lực xã hội hóa (lũy kế từ đầu năm đến cuối quý, mỗi trẻ tính một lần)',
 'Tổng số trẻ em mồ côi không nơi nương tựa, bị bỏ rơi, nhiễm HIV/AIDS, là nạn nhân chất độc hóa học, khuyết tật nặng, bị ảnh hưởng bởi thiên tai, dịch bệnh trên địa bàn',
 'stock', 'stock', 'CTXH',
 'Mỗi quý báo cáo, tính đến ngày cuối quý, số trẻ em thuộc sáu nhóm hoàn cảnh đặc biệt đã được trợ giúp từ nguồn lực xã hội hóa kể từ đầu năm (tử số, lũy kế, mỗi trẻ một lần) và tổng số trẻ em thuộc các nhóm đó trên địa bàn (mẫu số).'),

-- CTXH-05 (seed 001, Huế: 1.000 people): a count of people trained. Training
-- is an event, so a flow: people trained in the quarter, summed over the year
-- (mid-year it shows progress, e.g. 450 of 1.000). Same people as the
-- numerator of CTXH-02, but Huế sets a count target on them, not a ratio.
('CTXH-05',
 'Số cán bộ, công chức, viên chức, nhân viên, cộng tác viên làm công tác xã hội được đào tạo, bồi dưỡng, tập huấn kỹ năng',
 'count',
 'Số cán bộ, công chức, viên chức, nhân viên, cộng tác viên làm công tác xã hội tại cộng đồng và tại các cơ sở trợ giúp xã hội được đào tạo, bồi dưỡng nâng cao năng lực, trình độ chuyên môn, nghiệp vụ và tập huấn kỹ năng trong quý (mỗi người tính một lần trong năm)',
 NULL, 'flow', NULL, 'CTXH',
 'Mỗi quý báo cáo số người làm công tác xã hội (kể cả cộng tác viên) lần đầu trong năm được đào tạo, bồi dưỡng hoặc tập huấn kỹ năng trong quý.'),

-- CTXH-06 (seed 001, Huế: at least 100 people): a count of staff given
-- advanced, in-depth training. An event, hence a flow summed over the quarters.
('CTXH-06',
 'Số cán bộ, viên chức, nhân viên được tập huấn nâng cao năng lực, kỹ năng chuyên sâu về công tác xã hội',
 'count',
 'Số cán bộ, viên chức, nhân viên được tập huấn nâng cao năng lực, kỹ năng chuyên sâu về chăm sóc, phục hồi, trợ giúp đối tượng đặc thù, trẻ em có hoàn cảnh đặc biệt, người chưa thành niên, công tác xã hội trong lĩnh vực tư pháp, nông thôn miền núi và lĩnh vực đặc thù khác trong quý (mỗi người tính một lần trong năm)',
 NULL, 'flow', NULL, 'CTXH',
 'Mỗi quý báo cáo số cán bộ, viên chức, nhân viên lần đầu trong năm được tập huấn nâng cao năng lực, kỹ năng chuyên sâu trong quý.'),

-- CTXH-07 (seed 004, Thanh Bình): "Đảm bảo tiếp tục duy trì đội ngũ cộng tác
-- viên công tác xã hội ở xã, thị trấn". Qualitative: no figure, reported as text.
('CTXH-07',
 'Duy trì đội ngũ cộng tác viên công tác xã hội ở xã, phường, thị trấn',
 'qualitative', NULL, NULL, NULL, NULL, 'CTXH',
 'Mỗi quý báo cáo bằng lời tình hình duy trì, củng cố đội ngũ cộng tác viên công tác xã hội cấp xã (số lượng hiện có, biến động, giao ban định kỳ 03 tháng).'),

-- CTXH-08 (seeds 003 for 2026-2030 and 004): "người có hoàn cảnh khó khăn được
-- tư vấn, hỗ trợ công tác xã hội" / "tỷ lệ người có hoàn cảnh khó khăn được tư
-- vấn" is stated as a goal but with no figure in either document, so it is held
-- as a qualitative target; it is not the facility ratio CTXH-03.
('CTXH-08',
 'Người có hoàn cảnh khó khăn được tư vấn, hỗ trợ công tác xã hội',
 'qualitative', NULL, NULL, NULL, NULL, 'CTXH',
 'Mỗi quý báo cáo bằng lời kết quả tư vấn, hỗ trợ công tác xã hội cho người có hoàn cảnh khó khăn có nhu cầu (số lượt, số người nếu có).'),

-- SKTT-01 (seed 004: at least 80%): people with mental illness, autistic
-- children and people with mental disorders who have access to health
-- services. Access (being under management/treatment in some form) is a state
-- of a person, and the population is a state: stock/stock.
('SKTT-01',
 'Tỷ lệ người tâm thần, trẻ em tự kỷ và người rối nhiễu tâm trí tiếp cận các dịch vụ y tế',
 'ratio',
 'Số người tâm thần, trẻ em tự kỷ và người rối nhiễu tâm trí đang tiếp cận dịch vụ y tế dưới các hình thức khác nhau (được quản lý, khám, điều trị, phục hồi chức năng) tính đến cuối quý',
 'Tổng số người tâm thần, trẻ em tự kỷ và người rối nhiễu tâm trí trên địa bàn',
 'stock', 'stock', 'SKTT',
 'Mỗi quý báo cáo, tính đến ngày cuối quý, số người tâm thần, trẻ em tự kỷ và người rối nhiễu tâm trí đang tiếp cận dịch vụ y tế (tử số) trên tổng số các đối tượng này trên địa bàn (mẫu số).'),

-- SKTT-02 (seed 004: 70%): children 0-6 screened early for autism and given
-- early intervention. Screening is an event (flow, each child once a year);
-- the 0-6 population is a state (stock). Flow over stock, like CTXH-02.
('SKTT-02',
 'Tỷ lệ trẻ em từ sơ sinh đến 6 tuổi được sàng lọc phát hiện sớm khuyết tật dạng tự kỷ và được can thiệp sớm',
 'ratio',
 'Số trẻ em từ sơ sinh đến 6 tuổi được sàng lọc phát hiện sớm khuyết tật dạng tự kỷ (và được can thiệp sớm nếu phát hiện) trong quý (mỗi trẻ tính một lần trong năm)',
 'Tổng số trẻ em từ sơ sinh đến 6 tuổi trên địa bàn',
 'flow', 'stock', 'SKTT',
 'Mỗi quý báo cáo số trẻ em 0-6 tuổi lần đầu trong năm được sàng lọc phát hiện sớm tự kỷ trong quý (tử số) và tổng số trẻ em 0-6 tuổi trên địa bàn tại ngày cuối quý (mẫu số).'),

-- SKTT-03 (seed 004: at least 80%): autistic children of pre-school and school
-- age with access to education. Being enrolled is a state: stock/stock.
('SKTT-03',
 'Tỷ lệ trẻ khuyết tật dạng tự kỷ ở độ tuổi mầm non và phổ thông được tiếp cận giáo dục',
 'ratio',
 'Số trẻ khuyết tật dạng tự kỷ ở độ tuổi mầm non và phổ thông đang được tiếp cận giáo dục (hòa nhập, chuyên biệt, can thiệp) tính đến cuối quý',
 'Tổng số trẻ khuyết tật dạng tự kỷ ở độ tuổi mầm non và phổ thông trên địa bàn',
 'stock', 'stock', 'SKTT',
 'Mỗi quý báo cáo, tính đến ngày cuối quý, số trẻ tự kỷ độ tuổi mầm non và phổ thông đang được tiếp cận giáo dục (tử số) trên tổng số trẻ tự kỷ trong độ tuổi đó (mẫu số).'),

-- SKTT-04 (seed 004: at least 100 people): people given vocational guidance /
-- occupational therapy at social assistance facilities. An event: flow,
-- summed over the quarters, each person once a year.
('SKTT-04',
 'Số người tâm thần, người rối nhiễu tâm trí được hỗ trợ hướng nghiệp, lao động trị liệu tại cơ sở trợ giúp xã hội',
 'count',
 'Số người tâm thần, người rối nhiễu tâm trí được hỗ trợ hướng nghiệp, lao động trị liệu tại cơ sở trợ giúp xã hội trong quý (mỗi người tính một lần trong năm)',
 NULL, 'flow', NULL, 'SKTT',
 'Mỗi quý báo cáo số người tâm thần, người rối nhiễu tâm trí lần đầu trong năm được hỗ trợ hướng nghiệp, lao động trị liệu tại cơ sở trợ giúp xã hội trong quý.'),

-- SKTT-05 (seed 004: at least 50 households): households granted
-- preferential loans. A loan granted is an event: flow (households newly
-- granted a loan in the quarter, each household once a year).
('SKTT-05',
 'Số hộ gia đình có người rối nhiễu tâm trí được vay vốn với lãi suất ưu đãi',
 'count',
 'Số hộ gia đình có người rối nhiễu tâm trí có nhu cầu và đủ điều kiện được vay vốn với lãi suất ưu đãi trong quý (mỗi hộ tính một lần trong năm)',
 NULL, 'flow', NULL, 'SKTT',
 'Mỗi quý báo cáo số hộ gia đình có người rối nhiễu tâm trí được giải ngân vốn vay ưu đãi lần đầu trong năm trong quý.'),

-- SKTT-06 (seed 004: 80%): free legal aid "khi có nhu cầu" (when needed).
-- The population is those who asked, which arises as events: flow over flow
-- (people who requested legal aid this quarter, and of them those served).
('SKTT-06',
 'Tỷ lệ người tâm thần và người rối nhiễu tâm trí có khó khăn về tài chính được cung cấp dịch vụ trợ giúp pháp lý miễn phí khi có nhu cầu',
 'ratio',
 'Số người tâm thần và người rối nhiễu tâm trí có khó khăn về tài chính được cung cấp dịch vụ pháp lý miễn phí trong quý',
 'Số người tâm thần và người rối nhiễu tâm trí có khó khăn về tài chính có nhu cầu trợ giúp pháp lý phát sinh trong quý',
 'flow', 'flow', 'SKTT',
 'Mỗi quý báo cáo số người tâm thần, người rối nhiễu tâm trí có khó khăn về tài chính có yêu cầu trợ giúp pháp lý trong quý (mẫu số) và số người trong đó được trợ giúp pháp lý miễn phí (tử số).'),

-- SKTT-07 (seed 004: at least 80% each year): people with severe mental
-- illness and dangerous behaviour received for rotational care at social
-- assistance facilities. Admission is an event (flow, each person once a
-- year); the people with severe illness and dangerous behaviour on record are
-- a state (stock).
('SKTT-07',
 'Tỷ lệ người tâm thần nặng có hành vi nguy hiểm đến gia đình và cộng đồng được tiếp nhận, chăm sóc, phục hồi chức năng luân phiên tại cơ sở trợ giúp xã hội',
 'ratio',
 'Số người tâm thần nặng có hành vi nguy hiểm được tiếp nhận, chăm sóc, phục hồi chức năng luân phiên tại cơ sở trợ giúp xã hội trong quý (mỗi người tính một lần trong năm)',
 'Tổng số người tâm thần nặng có hành vi nguy hiểm đến gia đình và cộng đồng trên địa bàn',
 'flow', 'stock', 'SKTT',
 'Mỗi quý báo cáo số người tâm thần nặng có hành vi nguy hiểm lần đầu trong năm được tiếp nhận luân phiên tại cơ sở trợ giúp xã hội trong quý (tử số) và tổng số người tâm thần nặng có hành vi nguy hiểm đang được quản lý trên địa bàn tại ngày cuối quý (mẫu số).'),

-- SKTT-08 (seed 004: 100% each year): wandering people with mental illness
-- received at social assistance facilities. Wandering people are found as
-- events, not held on a register: flow over flow (found this quarter, and of
-- them received this quarter).
('SKTT-08',
 'Tỷ lệ người tâm thần lang thang được tiếp nhận, chăm sóc, phục hồi chức năng tại cơ sở trợ giúp xã hội',
 'ratio',
 'Số người tâm thần lang thang được tiếp nhận, chăm sóc, phục hồi chức năng tại cơ sở trợ giúp xã hội trong quý',
 'Số người tâm thần lang thang được phát hiện trên địa bàn trong quý',
 'flow', 'flow', 'SKTT',
 'Mỗi quý báo cáo số người tâm thần lang thang được phát hiện trên địa bàn trong quý (mẫu số) và số người trong đó được tiếp nhận vào cơ sở trợ giúp xã hội (tử số).'),

-- SKTT-09 (seed 004: at least 60%): people with depression, autistic
-- children, people with mental disorders at high risk and people with mental
-- illness who were counselled / given therapy / rehabilitation in the
-- community. Service is an event (flow, each person once a year) over the
-- population on record (stock).
('SKTT-09',
 'Tỷ lệ người trầm cảm, trẻ em tự kỷ, người rối nhiễu tâm trí có nguy cơ cao bị tâm thần và người tâm thần được tư vấn, trị liệu tâm lý, phục hồi chức năng tại cộng đồng',
 'ratio',
 'Số người trầm cảm, trẻ em tự kỷ, người rối nhiễu tâm trí khác có nguy cơ cao bị tâm thần và người tâm thần được tư vấn, trị liệu tâm lý, phục hồi chức năng và sử dụng các dịch vụ công tác xã hội khác tại cộng đồng trong quý (mỗi người tính một lần trong năm)',
 'Tổng số người trầm cảm, trẻ em tự kỷ, người rối nhiễu tâm trí có nguy cơ cao bị tâm thần và người tâm thần trên địa bàn',
 'flow', 'stock', 'SKTT',
 'Mỗi quý báo cáo số người lần đầu trong năm được tư vấn, trị liệu tâm lý, phục hồi chức năng hoặc dùng dịch vụ công tác xã hội tại cộng đồng trong quý (tử số) và tổng số đối tượng này trên địa bàn tại ngày cuối quý (mẫu số).'),

-- SKTT-10 (seed 004: at least 40%): families with a person with mental
-- illness whose members were trained. Training is an event (flow, each family
-- once a year); the families are a state (stock). Kept apart from SKTT-11
-- because the document gives two figures for two different populations.
('SKTT-10',
 'Tỷ lệ gia đình có người tâm thần được tập huấn nâng cao nhận thức, kỹ năng chăm sóc, trợ giúp và phục hồi chức năng dựa vào cộng đồng',
 'ratio',
 'Số gia đình có người tâm thần được tập huấn nâng cao nhận thức, kỹ năng chăm sóc, trợ giúp và phục hồi chức năng dựa vào cộng đồng trong quý (mỗi gia đình tính một lần trong năm)',
 'Tổng số gia đình có người tâm thần trên địa bàn',
 'flow', 'stock', 'SKTT',
 'Mỗi quý báo cáo số gia đình có người tâm thần lần đầu trong năm được tập huấn trong quý (tử số) và tổng số gia đình có người tâm thần trên địa bàn tại ngày cuối quý (mẫu số).'),

-- SKTT-11 (seed 004: 40%, under the same "ít nhất"): families with an
-- autistic child or a person with mental disorders at high risk whose members
-- were trained. Flow over stock, as SKTT-10.
('SKTT-11',
 'Tỷ lệ gia đình có trẻ em tự kỷ và người rối nhiễu tâm trí có nguy cơ cao bị tâm thần được tập huấn nâng cao nhận thức, kỹ năng chăm sóc, trợ giúp và phục hồi chức năng dựa vào cộng đồng',
 'ratio',
 'Số gia đình có trẻ em tự kỷ, người rối nhiễu tâm trí có nguy cơ cao bị tâm thần được tập huấn nâng cao nhận thức, kỹ năng chăm sóc, trợ giúp và phục hồi chức năng dựa vào cộng đồng trong quý (mỗi gia đình tính một lần trong năm)',
 'Tổng số gia đình có trẻ em tự kỷ, người rối nhiễu tâm trí có nguy cơ cao bị tâm thần trên địa bàn',
 'flow', 'stock', 'SKTT',
 'Mỗi quý báo cáo số gia đình có trẻ em tự kỷ hoặc người rối nhiễu tâm trí có nguy cơ cao lần đầu trong năm được tập huấn trong quý (tử số) và tổng số gia đình như vậy trên địa bàn tại ngày cuối quý (mẫu số).');
